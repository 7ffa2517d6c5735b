using System.CommandLine;
using System.Globalization;
using Mlsh.Trainer.Mlsh;
using Mlsh.Trainer.Runs;
using Spectre.Console;

namespace Mlsh.Cli.Verbs;

/// <summary>`mlsh train --config configs/x.yaml [--workers N] [--out runs/x] [--resume] [--seed S] [--json]`.</summary>
public sealed class TrainVerb : IVerb
{
    public Command Build()
    {
        var config = new Option<string>("--config") { Description = "Training config (YAML), e.g. configs/movement-bandits-mlsh.yaml.", Required = true };
        var workers = new Option<int>("--workers") { Description = "Ranks to run under Open MPI's mpirun (default: one process, no MPI).", DefaultValueFactory = _ => 1 };
        var output = new Option<string?>("--out") { Description = "Run directory (default runs/<config name>)." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the run directory's checkpoint." };
        var seed = new Option<ulong?>("--seed") { Description = "Override the config's seed." };
        var json = new Option<bool>("--json") { Description = "End with one JSON summary line." };
        var mpiRank = new Option<bool>("--mpi-rank") { Description = "Internal: this process is one rank started by mpirun.", Hidden = true };
        var cmd = new Command("train", "Train MLSH sub-policies and masters (or the flat PPO baseline) from a YAML config.")
        {
            config, workers, output, resume, seed, json, mpiRank,
        };
        cmd.SetAction(parse =>
        {
            var options = new TrainRunOptions
            {
                ConfigPath = parse.GetValue(config)!,
                OutDirectory = parse.GetValue(output),
                Seed = parse.GetValue(seed),
                Resume = parse.GetValue(resume),
            };
            var asJson = parse.GetValue(json);
            var n = parse.GetValue(workers);
            if (n < 1)
            {
                Console.Error.WriteLine($"error: --workers must be ≥ 1, got {n}");
                return 2;
            }
            if (n > 1 && !parse.GetValue(mpiRank)) return MpiTraining.Launch(n, Environment.GetCommandLineArgs());
            try
            {
                TrainSummary summary;
                if (parse.GetValue(mpiRank))
                {
                    summary = MpiTraining.RunRank(options, ProgressLine(asJson));
                    if (summary.RunDirectory.Length == 0) return 0; // not rank 0: nothing to report
                }
                else if (!asJson && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
                {
                    summary = RunWithProgressBar(options);
                }
                else
                {
                    summary = TrainingRun.Run(options, ProgressLine(asJson));
                }
                Report(summary, asJson);
                return 0;
            }
            catch (CheckpointException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
        });
        return cmd;
    }

    private static Action<IterationMetrics, int> ProgressLine(bool json) => (m, total) =>
    {
        // Plain lines (CI, pipes): one every 10 iterations and the last; with --json they go to stderr
        // so stdout ends with exactly one JSON line.
        if ((m.Iteration + 1) % 10 != 0 && m.Iteration + 1 != total) return;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"iter {m.Iteration + 1}/{total} {m.Phase} task {m.Task} steps {m.EnvSteps} return {m.MeanReturn:F2} success {m.SuccessRate:F2} spread {m.SkillSpread:F2}");
        (json ? Console.Error : Console.Out).WriteLine(line);
    };

    private static TrainSummary RunWithProgressBar(TrainRunOptions options)
    {
        TrainSummary? summary = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training");
                summary = TrainingRun.Run(options, (m, total) =>
                {
                    task.MaxValue = total;
                    task.Value = m.Iteration + 1;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"{m.Phase} task {m.Task} return {m.MeanReturn:F2}");
                });
            });
        return summary!;
    }

    private static void Report(TrainSummary s, bool json)
    {
        if (json)
        {
            JsonOut.WriteLastLine(new Dictionary<string, object?>
            {
                ["run_dir"] = s.RunDirectory,
                ["algorithm"] = s.Algorithm,
                ["seed"] = s.Seed,
                ["iterations"] = s.Iterations,
                ["env_steps"] = s.EnvSteps,
                ["mean_return_last10"] = Finite(s.MeanReturnLast10),
                ["mean_return_last10_all_phases"] = Finite(s.MeanReturnLast10All),
                ["success_rate_last10"] = Finite(s.SuccessRateLast10),
                ["skill_spread_last10"] = Finite(s.SkillSpreadLast10),
                ["seconds"] = Math.Round(s.Seconds, 2),
            });
            return;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"done: {s.Iterations} iterations, {s.EnvSteps} env steps in {s.Seconds:F1} s; mean return (last 10) {s.MeanReturnLast10:F3}; run directory {s.RunDirectory}"));
    }

    private static double? Finite(double v) => double.IsFinite(v) ? Math.Round(v, 4) : null;
}

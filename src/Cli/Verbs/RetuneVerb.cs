using System.CommandLine;
using System.Globalization;
using Mlsh.Trainer.Mlsh;

namespace Mlsh.Cli.Verbs;

/// <summary>`mlsh retune --subpolicies DIR (--layout L | --task N) --out DIR [--iterations I] [--seed S] [--json]`.</summary>
public sealed class RetuneVerb : IVerb
{
    public Command Build()
    {
        var subpolicies = new Option<string>("--subpolicies") { Description = "Run directory or models directory (e.g. the shipped models/pointmass) holding trained sub-policies.", Required = true };
        var layout = new Option<string?>("--layout") { Description = "Maze layout YAML to learn a master for (may be one never seen in training)." };
        var task = new Option<int?>("--task") { Description = "Task index (discrete families)." };
        var output = new Option<string>("--out") { Description = "Output models directory: for maze robots a complete ONNX bundle the Runtime loads (master.onnx to push with load_master, manifest.yaml with its SHA-256), plus metrics.jsonl and plots/.", Required = true };
        var iterations = new Option<int>("--iterations") { Description = "Master-only training iterations.", DefaultValueFactory = _ => 100 };
        var seed = new Option<ulong>("--seed") { Description = "Seed.", DefaultValueFactory = _ => 1 };
        var episodes = new Option<int>("--episodes") { Description = "Episodes of the final evaluation.", DefaultValueFactory = _ => 20 };
        var json = new Option<bool>("--json") { Description = "End with one JSON summary line." };
        var corrections = new Option<string?>("--corrections")
        {
            Description = "Operator corrections (the runtime's skill_override_log, JSONL): after every PPO iteration the master is also trained to choose the operators' labels (DAgger-style; sub-policies stay frozen).",
        };
        var subpolicyActions = new Option<string>("--subpolicy-actions")
        {
            Description = "How the frozen sub-policies act while the master learns: sample (as in training; the default, it measured better) or mean (their most probable action, as eval and the Runtime run them).",
            DefaultValueFactory = _ => "sample",
        };
        subpolicyActions.AcceptOnlyFromAmong("mean", "sample");
        var envs = new Option<int?>("--envs") { Description = "Environment instances per iteration, each running one episode length (default 8, or the run's config): more give the master a steadier gradient per iteration." };
        var macroSteps = new Option<int?>("--macro-steps") { Description = "Low-level steps per master decision (default: the period the sub-policies were trained with); the exported manifest records it." };
        var masterObserves = new Option<string?>("--master-observes")
        {
            Description = "What the new master's choices may depend on: pose (base position and heading; the default for mazes) or all (the whole observation; the default for discrete families and with --corrections).",
        };
        masterObserves.AcceptOnlyFromAmong("pose", "all");
        var masterGamma = new Option<float?>("--master-gamma") { Description = "The new master's discount per decision (default 0.95 on mazes: it is paid for progress at every decision; otherwise the run's config)." };
        var masterLambda = new Option<float?>("--master-lambda") { Description = "The new master's GAE lambda (default 0.9 on mazes; otherwise the run's config)." };
        var cmd = new Command("retune", "Freeze sub-policies and learn a new master for one layout; writes a models directory eval and the runtime load.")
        {
            subpolicies, layout, task, output, iterations, seed, episodes, subpolicyActions, envs, macroSteps, masterObserves, masterGamma, masterLambda, json, corrections,
        };
        // A damaged network file (PolicyFileException) becomes a one-line error in Program.Main.
        cmd.SetAction(Execute);
        return cmd;

        int Execute(ParseResult parse)
        {
            var asJson = parse.GetValue(json);
            var retuneOptions = new RetuneOptions
            {
                Subpolicies = parse.GetValue(subpolicies)!,
                Layout = parse.GetValue(layout),
                Task = parse.GetValue(task),
                OutDirectory = parse.GetValue(output)!,
                Iterations = parse.GetValue(iterations),
                Seed = parse.GetValue(seed),
                EvalEpisodes = parse.GetValue(episodes),
                MeanSubpolicyActions = parse.GetValue(subpolicyActions) == "mean",
                MacroSteps = parse.GetValue(macroSteps),
                Envs = parse.GetValue(envs),
                MasterGamma = parse.GetValue(masterGamma),
                MasterLambda = parse.GetValue(masterLambda),
                MasterObserves = parse.GetValue(masterObserves) switch
                {
                    "pose" => MasterObservation.Pose,
                    "all" => MasterObservation.All,
                    _ => null,
                },
            };
            void Progress(Mlsh.Trainer.Runs.IterationMetrics m, int total)
            {
                // Success rate against environment steps, the retune learning curve.
                if ((m.Iteration + 1) % 10 != 0 && m.Iteration + 1 != total) return;
                (asJson ? Console.Error : Console.Out).WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"iter {m.Iteration + 1}/{total} steps {m.EnvSteps} success {m.FirstEpisodeSuccessRate:F2} return {m.MeanReturn:F2}"));
            }
            Mlsh.Trainer.Corrections.CorrectionRetuneSummary? corrected = null;
            RetuneSummary summary;
            if (parse.GetValue(corrections) is { } log)
            {
                corrected = Mlsh.Trainer.Corrections.CorrectionRetuner.Run(retuneOptions, new Mlsh.Trainer.Corrections.CorrectionOptions { LogPath = log }, Progress);
                summary = corrected.Retune;
            }
            else
            {
                summary = Retuner.Run(retuneOptions, Progress);
            }
            if (asJson)
            {
                JsonOut.WriteLastLine(new Dictionary<string, object?>
                {
                    ["out"] = summary.OutDirectory,
                    ["task"] = summary.Task,
                    ["iterations"] = summary.Iterations,
                    ["env_steps"] = summary.EnvSteps,
                    ["success_rate"] = Math.Round(summary.SuccessRate, 4),
                    ["mean_return"] = Math.Round(summary.MeanReturn, 4),
                    ["mean_steps"] = Math.Round(summary.MeanSteps, 2),
                    ["success_curve"] = summary.Curve.Select(c => new double?[] { c.EnvSteps, double.IsFinite(c.SuccessRate) ? Math.Round(c.SuccessRate, 4) : null }).ToArray(),
                    ["corrections"] = corrected is null ? null : new Dictionary<string, object?>
                    {
                        ["labels"] = corrected.Corrections,
                        ["skipped_torn_lines"] = corrected.SkippedTornLines,
                        ["agreement_before"] = Math.Round(corrected.AgreementBefore, 4),
                        ["agreement_after"] = Math.Round(corrected.AgreementAfter, 4),
                        ["nll_before"] = Math.Round(corrected.NllBefore, 4),
                        ["nll_after"] = Math.Round(corrected.NllAfter, 4),
                        ["started_from_deployed_master"] = corrected.StartedFromDeployedMaster,
                    },
                });
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"retuned master for {summary.Task}: success rate {summary.SuccessRate:P0}, mean return {summary.MeanReturn:F3} after {summary.EnvSteps} env steps; models in {summary.OutDirectory}"));
                if (corrected is not null)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"corrections: {corrected.Corrections} labels; master agrees with the operators on {corrected.AgreementBefore:P0} of them before, {corrected.AgreementAfter:P0} after"));
            }
            return 0;
        }
    }
}

using System.CommandLine;
using System.Globalization;
using Mlsh.Trainer.Mlsh;

namespace Mlsh.Cli.Verbs;

/// <summary>`mlsh retune --subpolicies DIR (--layout L | --task N) --out DIR [--iterations I] [--seed S] [--json]`.</summary>
public sealed class RetuneVerb : IVerb
{
    public Command Build()
    {
        var subpolicies = new Option<string>("--subpolicies") { Description = "Run directory or models directory holding trained sub-policies.", Required = true };
        var layout = new Option<string?>("--layout") { Description = "Maze layout YAML to learn a master for (may be one never seen in training)." };
        var task = new Option<int?>("--task") { Description = "Task index (discrete families)." };
        var output = new Option<string>("--out") { Description = "Output models directory (also gets metrics.jsonl and plots/).", Required = true };
        var iterations = new Option<int>("--iterations") { Description = "Master-only training iterations.", DefaultValueFactory = _ => 100 };
        var seed = new Option<ulong>("--seed") { Description = "Seed.", DefaultValueFactory = _ => 1 };
        var episodes = new Option<int>("--episodes") { Description = "Episodes of the final evaluation.", DefaultValueFactory = _ => 20 };
        var json = new Option<bool>("--json") { Description = "End with one JSON summary line." };
        var cmd = new Command("retune", "Freeze sub-policies and learn a new master for one layout; writes a models directory eval and the runtime load.")
        {
            subpolicies, layout, task, output, iterations, seed, episodes, json,
        };
        cmd.SetAction(parse =>
        {
            try
            {
                return Execute(parse);
            }
            catch (Mlsh.NeuralNets.Serialization.PolicyFileException e)
            {
                // A damaged network file is a user-facing input error, like a bad config.
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
        });
        return cmd;

        int Execute(ParseResult parse)
        {
            var asJson = parse.GetValue(json);
            var summary = Retuner.Run(new RetuneOptions
            {
                Subpolicies = parse.GetValue(subpolicies)!,
                Layout = parse.GetValue(layout),
                Task = parse.GetValue(task),
                OutDirectory = parse.GetValue(output)!,
                Iterations = parse.GetValue(iterations),
                Seed = parse.GetValue(seed),
                EvalEpisodes = parse.GetValue(episodes),
            }, (m, total) =>
            {
                // Success rate against environment steps, the retune learning curve.
                if ((m.Iteration + 1) % 10 != 0 && m.Iteration + 1 != total) return;
                (asJson ? Console.Error : Console.Out).WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"iter {m.Iteration + 1}/{total} steps {m.EnvSteps} success {m.SuccessRate:F2} return {m.MeanReturn:F2}"));
            });
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
                });
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"retuned master for {summary.Task}: success rate {summary.SuccessRate:P0}, mean return {summary.MeanReturn:F3} after {summary.EnvSteps} env steps; models in {summary.OutDirectory}"));
            }
            return 0;
        }
    }
}

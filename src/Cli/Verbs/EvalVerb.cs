using System.CommandLine;
using System.Globalization;
using Mlsh.Trainer.Mlsh;

namespace Mlsh.Cli.Verbs;

/// <summary>`mlsh eval --models DIR (--layout L | --task N) [--episodes K] [--seed S] [--stochastic] [--json]`.</summary>
public sealed class EvalVerb : IVerb
{
    public Command Build()
    {
        var models = new Option<string>("--models") { Description = "Models directory (or run directory) written by train or retune.", Required = true };
        var layout = new Option<string?>("--layout") { Description = "Maze layout YAML (maze families)." };
        var task = new Option<int?>("--task") { Description = "Task index (discrete families: movement_bandits, four_rooms)." };
        var episodes = new Option<int>("--episodes") { Description = "Episodes to run.", DefaultValueFactory = _ => 20 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the episodes.", DefaultValueFactory = _ => 1 };
        var stochastic = new Option<bool>("--stochastic") { Description = "Sample actions instead of taking the most probable ones." };
        var json = new Option<bool>("--json") { Description = "End with one JSON line {success_rate, mean_return, mean_steps}." };
        var cmd = new Command("eval", "Run a trained hierarchy (or flat policy) on a layout or task and report success rate, return and steps.")
        {
            models, layout, task, episodes, seed, stochastic, json,
        };
        // A damaged network file (PolicyFileException) becomes a one-line error in Program.Main.
        cmd.SetAction(Execute);
        return cmd;

        int Execute(ParseResult parse)
        {
            var n = parse.GetValue(episodes);
            if (n < 1)
            {
                Console.Error.WriteLine($"error: --episodes must be ≥ 1, got {n}");
                return 2;
            }
            var dir = parse.GetValue(models)!;
            var (description, subs, master) = ModelsDirectory.Load(dir);
            if (description.Algorithm == "mlsh" && master is null)
            {
                Console.Error.WriteLine($"error: {dir} holds sub-policies but no master; learn one first with: mlsh retune --subpolicies {dir} --layout <layout.yaml> --out <dir>");
                return 2;
            }
            var (family, t, name) = Retuner.FamilyFor(description, parse.GetValue(layout), parse.GetValue(task), dir);
            using var owned = family as IDisposable;
            var r = Evaluator.Run(family, t, subs, master, description.MacroSteps, n, parse.GetValue(seed), parse.GetValue(stochastic));
            if (parse.GetValue(json))
            {
                JsonOut.WriteLastLine(new Dictionary<string, object>
                {
                    ["task"] = name,
                    ["episodes"] = r.Episodes,
                    ["success_rate"] = Math.Round(r.SuccessRate, 4),
                    ["mean_return"] = Math.Round(r.MeanReturn, 4),
                    ["mean_steps"] = Math.Round(r.MeanSteps, 2),
                });
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name}: {r.Episodes} episodes, success rate {r.SuccessRate:P0}, mean return {r.MeanReturn:F3}, mean steps {r.MeanSteps:F1}"));
            }
            return 0;
        }
    }
}

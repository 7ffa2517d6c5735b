using System.CommandLine;
using System.Globalization;
using Mlsh.Core;
using Mlsh.Environments.Demo;

namespace Mlsh.Cli.Verbs;

/// <summary>
/// `./mlsh demo`: until the trained end-to-end pipeline lands, runs one headless quadruped episode in a maze
/// with a scripted, path-steered trot through the real PD law and physics, and prints what happened.
/// </summary>
public sealed class DemoVerb : IVerb
{
    public Command Build()
    {
        var layout = new Option<string>("--layout")
        {
            Description = "Layout YAML file (default: layouts/train/maze-01.yaml).",
        };
        var seed = new Option<ulong>("--seed") { Description = "Reset-noise seed.", DefaultValueFactory = _ => 0UL };
        var json = new Option<bool>("--json") { Description = "End with one JSON object on the last line." };
        var cmd = new Command("demo", "Run a headless quadruped episode in a maze (scripted trot, no trained policy) and print what happened.");
        cmd.Options.Add(layout);
        cmd.Options.Add(seed);
        cmd.Options.Add(json);
        cmd.SetAction(parse =>
        {
            var path = parse.GetValue(layout) is { Length: > 0 } p ? Path.GetFullPath(p) : Path.Combine(MlshPaths.Layouts, "train", "maze-01.yaml");
            var nextReport = 0.0;
            var r = ScriptedMazeRun.Run(path, parse.GetValue(seed), (step, x, y, d) =>
            {
                var t = step * 0.02;
                if (t + 1e-9 < nextReport) return;
                nextReport += 2.0;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  t={t,5:F1} s  base=({x,6:F2}, {y,6:F2}) m  path distance to goal {d,5:F2} m"));
            });
            var ci = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(ci, $"layout      {r.Layout} ({Path.GetRelativePath(MlshPaths.Root, path)})"));
            Console.WriteLine(string.Create(ci, $"start       ({r.StartX:F2}, {r.StartY:F2}) m   goal ({r.GoalX:F2}, {r.GoalY:F2}) m   path length {r.StartPathDistance:F2} m"));
            Console.WriteLine(string.Create(ci, $"final       ({r.FinalX:F2}, {r.FinalY:F2}) m   path distance to goal {r.FinalPathDistance:F2} m ({r.CellsToGo} cells)"));
            Console.WriteLine(string.Create(ci, $"steps       {r.Steps} policy steps ({r.PhysicsSteps} physics steps, {r.SimSeconds:F1} s simulated)"));
            Console.WriteLine(string.Create(ci, $"outcome     {Describe(r)}; fell: {(r.End == Environments.Tasks.EpisodeEnd.Fall ? "yes" : "no")}; divergences: {r.Divergences}; return {r.TotalReward:F2}"));
            if (parse.GetValue(json))
            {
                JsonOut.WriteLastLine(new
                {
                    layout = r.Layout,
                    start = new[] { r.StartX, r.StartY },
                    goal = new[] { r.GoalX, r.GoalY },
                    final_position = new[] { r.FinalX, r.FinalY },
                    start_path_distance_m = r.StartPathDistance,
                    final_path_distance_m = r.FinalPathDistance,
                    cells_to_go = r.CellsToGo,
                    steps = r.Steps,
                    physics_steps = r.PhysicsSteps,
                    sim_seconds = r.SimSeconds,
                    outcome = r.End.ToString().ToLowerInvariant(),
                    fell = r.End == Environments.Tasks.EpisodeEnd.Fall,
                    divergences = r.Divergences,
                    total_reward = r.TotalReward,
                });
            }
            return 0;
        });
        return cmd;
    }

    private static string Describe(ScriptedRunResult r) => r.End switch
    {
        Environments.Tasks.EpisodeEnd.Success => "reached the goal",
        Environments.Tasks.EpisodeEnd.Fall => "fell over",
        Environments.Tasks.EpisodeEnd.TimeLimit => "time limit before the goal",
        Environments.Tasks.EpisodeEnd.Divergence => "physics diverged",
        _ => r.End.ToString(),
    };
}

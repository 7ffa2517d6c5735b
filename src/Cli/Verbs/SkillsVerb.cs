using System.CommandLine;
using System.Globalization;
using Mlsh.Core.IO;
using Mlsh.Trainer.Diagnostics;
using Mlsh.Trainer.Mlsh;

namespace Mlsh.Cli.Verbs;

/// <summary>`mlsh skills --models DIR [--layout L | --task N] [--macros M] [--episodes E] [--seed S] [--svg FILE] [--json]`.</summary>
public sealed class SkillsVerb : IVerb
{
    public Command Build()
    {
        var models = new Option<string>("--models") { Description = "Models directory (train/retune/export output) whose sub-policies to probe.", Required = true };
        var layout = new Option<string?>("--layout") { Description = "Maze layout to probe in (maze families; default layouts/probe/open-arena.yaml)." };
        var task = new Option<int?>("--task") { Description = "Task index (discrete families)." };
        var macros = new Option<int>("--macros") { Description = "Macro steps each sub-policy drives per episode.", DefaultValueFactory = _ => 6 };
        var episodes = new Option<int>("--episodes") { Description = "Episodes per sub-policy.", DefaultValueFactory = _ => 8 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the start states.", DefaultValueFactory = _ => 1 };
        var svg = new Option<string?>("--svg") { Description = "Write the probe paths and mean directions as an SVG top view." };
        var oracleLayout = new Option<string?>("--oracle-layout") { Description = "Also run a scripted waypoint-following master over these skills on this layout: can the skills solve it at all?" };
        var oracleEpisodes = new Option<int>("--oracle-episodes") { Description = "Episodes of the waypoint-oracle run.", DefaultValueFactory = _ => 20 };
        var oracleFrame = new Option<string>("--oracle-frame")
        {
            Description = "How the oracle reads each skill: world (a compass direction), body (a direction relative to the robot's heading), or auto (body when every sub-policy ignores the heading).",
            DefaultValueFactory = _ => "auto",
        };
        oracleFrame.AcceptOnlyFromAmong("auto", "world", "body");
        var json = new Option<bool>("--json") { Description = "End with one JSON line: per sub-policy heading, distance per macro step, consistency, falls." };
        var cmd = new Command("skills", "Drive each sub-policy alone from the start and report which way it moves the robot (the skills MLSH learned).")
        {
            models, layout, task, macros, episodes, seed, svg, oracleLayout, oracleEpisodes, oracleFrame, json,
        };
        cmd.SetAction(Execute);
        return cmd;

        int Execute(ParseResult parse)
        {
            int m = parse.GetValue(macros), e = parse.GetValue(episodes);
            if (m < 1 || e < 1)
            {
                Console.Error.WriteLine($"error: --macros and --episodes must be ≥ 1, got {m} and {e}");
                return 2;
            }
            var dir = parse.GetValue(models)!;
            var (description, subs, _) = ModelsDirectory.Load(dir);
            if (description.Algorithm != "mlsh")
            {
                Console.Error.WriteLine($"error: {dir} holds a {description.Algorithm} policy; skills probes the sub-policies of an MLSH hierarchy");
                return 2;
            }
            var layoutPath = parse.GetValue(layout);
            if (layoutPath is null && description.TaskFamily is "pointmass_maze" or "quadruped_maze")
                layoutPath = Path.Combine(Core.MlshPaths.Layouts, "probe", "open-arena.yaml");
            var (family, t, name) = Retuner.FamilyFor(description, layoutPath, parse.GetValue(task), dir);
            using var owned = family as IDisposable;
            var results = SkillProbe.Run(family, t, subs, description.MacroSteps, m, e, parse.GetValue(seed));
            foreach (var r in results)
            {
                Console.WriteLine(r.MacroSteps == 0
                    ? $"sub-policy {r.Subpolicy}: no macro step completed ({r.Falls} falls)"
                    : string.Create(CultureInfo.InvariantCulture,
                        $"sub-policy {r.Subpolicy}: heading {r.HeadingDegrees,6:0.0}°  mean step ({r.MeanDx:+0.000;-0.000}, {r.MeanDy:+0.000;-0.000}) m  distance {r.MeanDistance:0.000} m/macro  consistency {r.Consistency:0.00}  falls {r.Falls}")
                      + (r.MacroSteps == 0 || double.IsNaN(r.MeanForward) ? "" : string.Create(CultureInfo.InvariantCulture,
                        $"  body frame: heading {r.BodyHeadingDegrees,6:0.0}°  consistency {r.BodyConsistency:0.00}  turn {Math.Round(r.MeanTurnDegrees, 1) + 0.0:+0.0;-0.0;0.0}°/macro")));
            }
            var svgPath = parse.GetValue(svg);
            if (svgPath is not null)
            {
                AtomicFile.WriteAllText(svgPath, SkillProbeSvg.Render($"Sub-policies of {Path.GetFileName(Path.GetFullPath(dir))} driven alone on {name}", results));
                Console.WriteLine($"wrote {svgPath}");
            }
            Dictionary<string, object>? oracle = null;
            if (parse.GetValue(oracleLayout) is { } oraclePath)
            {
                var (oracleFamily, ot, oracleName) = Retuner.FamilyFor(description, oraclePath, null, dir);
                using var ownedOracle = oracleFamily as IDisposable;
                if (oracleFamily is not Environments.Tasks.MazeTaskFamily maze)
                {
                    Console.Error.WriteLine($"error: --oracle-layout needs a maze family; {dir} was trained on {description.TaskFamily}");
                    return 2;
                }
                var frame = parse.GetValue(oracleFrame) switch
                {
                    "world" => SkillFrame.World,
                    "body" => SkillFrame.Body,
                    _ => WaypointOracle.FrameOf(subs, maze.ObservationLayout),
                };
                var r = Evaluator.Run(oracleFamily, ot, subs, null, description.MacroSteps, Math.Max(1, parse.GetValue(oracleEpisodes)), parse.GetValue(seed),
                    scriptedMaster: WaypointOracle.For(maze.Tasks[ot].Layout, results, frame));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"waypoint oracle on {oracleName} ({frame.ToString().ToLowerInvariant()} frame): {r.Episodes} episodes, success rate {r.SuccessRate:P0}, mean steps {r.MeanSteps:F0}"));
                oracle = new Dictionary<string, object>
                {
                    ["layout"] = oracleName,
                    ["frame"] = frame.ToString().ToLowerInvariant(),
                    ["episodes"] = r.Episodes,
                    ["success_rate"] = Math.Round(r.SuccessRate, 4),
                    ["mean_steps"] = Math.Round(r.MeanSteps, 1),
                };
            }
            if (parse.GetValue(json))
            {
                JsonOut.WriteLastLine(new Dictionary<string, object?>
                {
                    ["task"] = name,
                    ["oracle"] = oracle,
                    ["macro_steps"] = description.MacroSteps,
                    ["skills"] = results.Select(r => new Dictionary<string, object?>
                    {
                        ["subpolicy"] = r.Subpolicy,
                        ["macro_steps_measured"] = r.MacroSteps,
                        ["heading_deg"] = double.IsNaN(r.HeadingDegrees) ? 0 : Math.Round(r.HeadingDegrees, 1),
                        ["mean_dx"] = Math.Round(r.MeanDx, 4),
                        ["mean_dy"] = Math.Round(r.MeanDy, 4),
                        ["distance_per_macro"] = Math.Round(r.MeanDistance, 4),
                        ["consistency"] = Math.Round(r.Consistency, 3),
                        ["body_heading_deg"] = Round(r.BodyHeadingDegrees, 1),
                        ["forward_per_macro"] = Round(r.MeanForward, 4),
                        ["left_per_macro"] = Round(r.MeanLeft, 4),
                        ["body_consistency"] = Round(r.BodyConsistency, 3),
                        ["turn_deg_per_macro"] = Round(r.MeanTurnDegrees, 1),
                        ["falls"] = r.Falls,
                    }).ToArray(),
                });
            }
            return 0;
        }
    }

    // JSON has no NaN: a statistic the family cannot have (no heading in a discrete family) is null.
    private static object? Round(double v, int digits) => double.IsNaN(v) ? null : Math.Round(v, digits);
}

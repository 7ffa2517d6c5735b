using System.CommandLine;
using Mlsh.Trainer.Export;

namespace Mlsh.Cli.Verbs;

/// <summary>`mlsh export --run runs/x [--checkpoint K] --out models/x [--evaluate N] [--eval-layout L ...] [--seed S] [--json]`.</summary>
public sealed class ExportVerb : IVerb
{
    public Command Build()
    {
        var run = new Option<string>("--run") { Description = "Training run directory (written by `mlsh train --out`).", Required = true };
        var checkpoint = new Option<int?>("--checkpoint") { Description = "Iteration of the checkpoint to export (default: the latest)." };
        var output = new Option<string>("--out") { Description = "Bundle directory to write, e.g. models/quadruped (replaced as a whole).", Required = true };
        var evaluate = new Option<int>("--evaluate") { Description = "Deterministic evaluation episodes per layout for the provenance (default 0: use the run's last training metrics)." };
        var layouts = new Option<string[]>("--eval-layout") { Description = "Layout file to evaluate on (repeatable; default: the run's training layouts)." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the evaluation episodes.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "End with one JSON summary line." };
        var cmd = new Command("export", "Export a training run's sub-policies and master to ONNX with a manifest (models/<name>) for the Runtime.")
        {
            run, checkpoint, output, evaluate, layouts, seed, json,
        };
        cmd.SetAction(parse =>
        {
            var result = HierarchyExport.FromRun(new RunExportOptions
            {
                RunDirectory = parse.GetValue(run)!,
                CheckpointIteration = parse.GetValue(checkpoint),
                OutDirectory = parse.GetValue(output)!,
                EvaluationEpisodes = parse.GetValue(evaluate),
                EvaluationLayouts = parse.GetValue(layouts),
                EvaluationSeed = parse.GetValue(seed),
            });
            Console.WriteLine(HierarchyExport.Describe(result));
            if (parse.GetValue(json))
            {
                JsonOut.WriteLastLine(new Dictionary<string, object>
                {
                    ["out"] = result.OutDirectory,
                    ["iteration"] = result.Iteration,
                    ["env_steps"] = result.EnvSteps,
                    ["sub_policies"] = result.Manifest.Models.SubPolicies.Count,
                    ["master_task"] = result.MasterTask,
                    ["evaluation_source"] = result.Evaluation.Source,
                    ["evaluation_success"] = Math.Round(result.Evaluation.SuccessRate, 4),
                    ["evaluation_episodes"] = result.Evaluation.Episodes,
                });
            }
            return 0;
        });
        return cmd;
    }
}

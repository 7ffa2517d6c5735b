using System.Globalization;
using Mlsh.Core.Configuration;
using Mlsh.Environments.Tasks;
using Mlsh.NeuralNets.Policies;
using Mlsh.Onnx.Export;
using Mlsh.Onnx.Manifest;
using Mlsh.Trainer.Mlsh;
using Mlsh.Trainer.Runs;

namespace Mlsh.Trainer.Export;

/// <summary>What `mlsh export` was asked to do.</summary>
public sealed class RunExportOptions
{
    /// <summary>A run directory written by `mlsh train --out`.</summary>
    public required string RunDirectory { get; init; }
    /// <summary>Iteration of the checkpoint to export (<see cref="RunCheckpoints"/>); null = the latest.</summary>
    public int? CheckpointIteration { get; init; }
    /// <summary>The bundle directory, e.g. models/quadruped; its last component is the bundle's name.</summary>
    public required string OutDirectory { get; init; }
    /// <summary>Deterministic evaluation episodes per layout for the provenance; 0 = summarize the run's last
    /// training metrics instead (no simulation).</summary>
    public int EvaluationEpisodes { get; init; }
    /// <summary>Layout files to evaluate on; null = the run's training layouts.</summary>
    public IReadOnlyList<string>? EvaluationLayouts { get; init; }
    public ulong EvaluationSeed { get; init; } = 1;
}

/// <summary>Where the provenance's evaluation success came from.</summary>
/// <param name="Source">"evaluation" (deterministic episodes of the exported hierarchy) or "training_metrics"
/// (episodes of the last training iterations before the checkpoint, stochastic actions).</param>
/// <param name="Layouts">Layouts the episodes ran on.</param>
public sealed record EvaluationSummary(string Source, double SuccessRate, int Episodes, IReadOnlyList<string> Layouts);

/// <summary>The outcome of <see cref="HierarchyExport.FromRun"/>.</summary>
/// <param name="MasterTask">Training layout the exported master was learned on.</param>
public sealed record RunExportResult(
    string OutDirectory, PolicyManifest Manifest, int Iteration, long EnvSteps, string MasterTask, EvaluationSummary Evaluation);

/// <summary>
/// From trained networks to a deployable ONNX bundle (models/&lt;name&gt;: sub_policy_&lt;k&gt;.onnx,
/// master.onnx, manifest.yaml), as the Runtime loads it with PolicyBundle.Load. Each sub-policy graph holds
/// the frozen observation normalizer, the MLP and the mapping of the clipped mean action to joint position
/// targets; the master graph maps observations to sub-policy logits. The contract comes from the robot config
/// (<see cref="RobotExportContract"/>). The bundle is written through <see cref="BundleDirectory"/>, so a
/// failed export leaves the previous bundle (or nothing) in place. Stateless; one export per target at a time.
/// </summary>
public static class HierarchyExport
{
    /// <summary>
    /// Exports networks held in memory (e.g. by `mlsh retune`, whose master was learned over frozen
    /// sub-policies) for the robot of <paramref name="family"/>.
    /// </summary>
    /// <param name="subPolicies">Sub-policy k at index k; each a <see cref="GaussianActorCritic"/>. Snapshotted:
    /// training may continue afterwards.</param>
    /// <param name="master">Chooses among <paramref name="subPolicies"/>.Count sub-policies.</param>
    /// <param name="family">The maze family the networks act in (robot config, observation layout, joint ranges).</param>
    /// <param name="macroSteps">Agent steps per master decision (hierarchy.macro_steps).</param>
    /// <param name="provenance">Copied into the manifest; an empty ExportedUtc becomes now.</param>
    /// <param name="outDirectory">Bundle directory; created or replaced as a whole.</param>
    /// <returns>The manifest as written.</returns>
    /// <exception cref="ArgumentException">Network shapes disagree with each other or with the family.</exception>
    /// <exception cref="ConfigException">The robot's action mapping cannot be exported, or <paramref name="outDirectory"/>
    /// exists and is not an Mlsh bundle.</exception>
    public static PolicyManifest FromNetworks(IReadOnlyList<ActorCritic> subPolicies, CategoricalActorCritic master,
        MazeTaskFamily family, int macroSteps, Provenance provenance, string outDirectory) =>
        FromNetworks(subPolicies, master, family, macroSteps, provenance, outDirectory, layout: "", addFiles: null);

    /// <inheritdoc cref="FromNetworks(IReadOnlyList{ActorCritic}, CategoricalActorCritic, MazeTaskFamily, int, Provenance, string)"/>
    /// <param name="layout">Recorded in models.yaml as the layout the master was learned for ("" = not recorded).</param>
    /// <param name="addFiles">Writes extra files of the bundle (metrics.jsonl, plots/) into the staging directory it is given.</param>
    internal static PolicyManifest FromNetworks(IReadOnlyList<ActorCritic> subPolicies, CategoricalActorCritic master,
        MazeTaskFamily family, int macroSteps, Provenance provenance, string outDirectory, string layout, Action<string>? addFiles)
    {
        ArgumentNullException.ThrowIfNull(subPolicies);
        ArgumentNullException.ThrowIfNull(master);
        ArgumentNullException.ThrowIfNull(family);
        ArgumentException.ThrowIfNullOrWhiteSpace(outDirectory);
        var obsSize = family.ObservationLayout.Size;
        var actions = family.Robot.ActionSize;
        if (subPolicies.Count == 0) throw new ArgumentException("expected at least one sub-policy, got none", nameof(subPolicies));
        var gaussians = new GaussianActorCritic[subPolicies.Count];
        for (var k = 0; k < subPolicies.Count; k++)
        {
            var g = subPolicies[k] as GaussianActorCritic
                ?? throw new ArgumentException($"sub-policy {k}: expected a Gaussian (joint action) policy, got {subPolicies[k]?.Kind.ToString() ?? "null"}", nameof(subPolicies));
            if (g.ObservationSize != obsSize || g.ActionSize != actions)
                throw new ArgumentException($"sub-policy {k}: expected {obsSize} observations → {actions} actions ({family.Name}), got {g.ObservationSize} → {g.ActionSize}", nameof(subPolicies));
            gaussians[k] = g;
        }
        if (master.ObservationSize != obsSize || master.ActionSize != subPolicies.Count)
            throw new ArgumentException($"master: expected {obsSize} observations → {subPolicies.Count} logits (one per sub-policy), got {master.ObservationSize} → {master.ActionSize}", nameof(master));

        var name = Path.GetFileName(Path.GetFullPath(outDirectory).TrimEnd('/', '\\'));
        var contract = RobotExportContract.For(family, macroSteps, name, provenance);
        var offset = HierarchyExporter.SubPolicyOutputOffset(contract.Action);
        var subSpecs = gaussians.Select(g => ActorCriticSpecs.FromSubPolicy(g, contract.Action.Scale, offset)).ToArray();
        var masterSpec = ActorCriticSpecs.FromMaster(master);
        var kind = $"{family.Robot.Name}_maze";
        return BundleDirectory.Replace(outDirectory, staging =>
        {
            // DESIGN: the trainer's own networks travel with the ONNX files (models.yaml + PolicyFile .bin, with the
            // log-std and value heads ONNX does not carry), so one directory is what the Runtime loads, what
            // `mlsh eval` evaluates and what `mlsh retune --subpolicies` freezes: a field team needs nothing else.
            ModelsDirectory.Write(staging, new ModelsDescription
            {
                Algorithm = "mlsh",
                TaskFamily = kind,
                ObservationSize = obsSize,
                ActionKind = "continuous",
                ActionSize = actions,
                MacroSteps = macroSteps,
                Layout = layout,
            }, gaussians, master);
            addFiles?.Invoke(staging);
            return HierarchyExporter.Export(subSpecs, masterSpec, contract, staging);
        });
    }

    /// <summary>`mlsh export`: a checkpoint of a training run → a bundle, with provenance from the run.</summary>
    /// <exception cref="ConfigException">Every input problem (run, checkpoint, config, output directory), one line.</exception>
    public static RunExportResult FromRun(RunExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.EvaluationEpisodes < 0)
            throw new ConfigException($"--evaluate: expected episodes per layout >= 0 (0 = use the training metrics), got {options.EvaluationEpisodes}");
        if (options.EvaluationEpisodes == 0 && options.EvaluationLayouts is { Count: > 0 })
            throw new ConfigException("--eval-layout needs --evaluate <episodes per layout> (without it the provenance summarizes the training metrics)");
        using var trained = TrainedHierarchy.Load(options.RunDirectory, options.CheckpointIteration);
        var metrics = new RunDirectory(options.RunDirectory).ReadMetrics().Where(m => m.Iteration < trained.Checkpoint.Iteration).ToList();
        var envSteps = metrics.Count > 0 ? metrics[^1].EnvSteps : trained.Checkpoint.EnvSteps;
        var evaluation = options.EvaluationEpisodes > 0 ? Evaluate(trained, options) : FromMetrics(trained, metrics);
        var provenance = new Provenance
        {
            Config = trained.ConfigDisplayName(),
            ConfigSha256 = trained.ConfigSha256(),
            Iterations = trained.Checkpoint.Iteration,
            EvaluationSuccess = evaluation.SuccessRate,
            EvaluationEpisodes = evaluation.Episodes,
        };
        // models.yaml records the layout the exported master was learned on (informational, as a retune's output does).
        var masterLayout = trained.Config.TaskFamily.Layouts.ElementAtOrDefault(trained.MasterTask) ?? "";
        var manifest = FromNetworks(trained.SubPolicies, trained.Master, trained.Family, trained.MacroSteps, provenance, options.OutDirectory,
            masterLayout, addFiles: null);
        return new RunExportResult(Path.GetFullPath(options.OutDirectory), manifest, trained.Checkpoint.Iteration, envSteps, trained.MasterTaskName, evaluation);
    }

    /// <summary>Training episodes of the last (up to) 10 iterations before the checkpoint, episode-weighted.</summary>
    internal static EvaluationSummary FromMetrics(TrainedHierarchy trained, IReadOnlyList<IterationMetrics> metricsBeforeCheckpoint)
    {
        var last = metricsBeforeCheckpoint.Where(m => m.Episodes > 0 && double.IsFinite(m.SuccessRate)).TakeLast(10).ToArray();
        var episodes = last.Sum(m => m.Episodes);
        var success = episodes == 0 ? 0 : last.Sum(m => m.SuccessRate * m.Episodes) / episodes;
        var layouts = last.Select(m => m.Task).Distinct().Where(t => t >= 0 && t < trained.Family.TaskCount).Select(trained.Family.TaskName).ToArray();
        return new EvaluationSummary("training_metrics", Math.Clamp(success, 0, 1), episodes, layouts);
    }

    private static EvaluationSummary Evaluate(TrainedHierarchy trained, RunExportOptions options)
    {
        MazeTaskFamily? owned = null;
        var family = trained.Family;
        if (options.EvaluationLayouts is { Count: > 0 } layouts)
            family = owned = TaskFamilies.CreateMaze(family.Robot.Name, layouts.Select(TaskFamilies.ResolvePath).ToArray(), trained.Config.TaskFamily);
        try
        {
            int episodes = 0;
            double successes = 0;
            for (var t = 0; t < family.TaskCount; t++)
            {
                var r = Evaluator.Run(family, t, trained.SubPolicies, trained.Master, trained.MacroSteps, options.EvaluationEpisodes, options.EvaluationSeed);
                episodes += r.Episodes;
                successes += r.SuccessRate * r.Episodes;
            }
            var names = Enumerable.Range(0, family.TaskCount).Select(family.TaskName).ToArray();
            return new EvaluationSummary("evaluation", successes / episodes, episodes, names);
        }
        finally
        {
            owned?.Dispose();
        }
    }

    /// <summary>One human-readable line describing an export (for the CLI).</summary>
    public static string Describe(RunExportResult r) => string.Create(CultureInfo.InvariantCulture,
        $"exported {r.Manifest.Models.SubPolicies.Count} sub-policies + master (iteration {r.Iteration}, {r.EnvSteps} env steps, master learned on '{r.MasterTask}') to {r.OutDirectory}; " +
        $"success {r.Evaluation.SuccessRate:P1} over {r.Evaluation.Episodes} episodes ({r.Evaluation.Source}: {string.Join(", ", r.Evaluation.Layouts)})");
}

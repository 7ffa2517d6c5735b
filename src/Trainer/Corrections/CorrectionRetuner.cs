using Mlsh.Core.Configuration;
using Mlsh.Environments;
using Mlsh.Environments.Tasks;
using Mlsh.NeuralNets.Policies;
using Mlsh.Onnx.Manifest;
using Mlsh.Trainer.Configuration;
using Mlsh.Trainer.Export;
using Mlsh.Trainer.Mlsh;
using Mlsh.Trainer.Runs;

namespace Mlsh.Trainer.Corrections;

/// <summary>What `mlsh retune --corrections LOG` was asked to do beyond a plain retune.</summary>
public sealed class CorrectionOptions
{
    /// <summary>The runtime's skill-override log (JSONL).</summary>
    public required string LogPath { get; init; }
    /// <summary>Behaviour-cloning epochs over the correction set after every PPO iteration. A shift of corrections is a few
    /// hundred labels, so ten passes in minibatches of 32 give the imitation term tens of Adam steps per iteration.</summary>
    public int EpochsPerIteration { get; init; } = 10;
    public float LearningRate { get; init; } = 1e-3f;
    public int MinibatchSize { get; init; } = 32;
}

/// <summary>A corrections retune: the plain retune figures plus how far the master moved toward the operators' labels.</summary>
/// <param name="AgreementBefore">Fraction of logged observations where the starting master's choice equals the label.</param>
/// <param name="AgreementAfter">The same for the retuned master.</param>
/// <param name="StartedFromDeployedMaster">True when the models directory held a master of the same shape and training
/// continued from it (DAgger: correct the policy that produced the states), false when it started fresh.</param>
public sealed record CorrectionRetuneSummary(RetuneSummary Retune, int Corrections, int SkippedTornLines, double AgreementBefore,
    double AgreementAfter, double NllBefore, double NllAfter, bool StartedFromDeployedMaster);

/// <summary>
/// DAgger-style retune of the master on operator corrections with the sub-policies frozen: every iteration is a PPO
/// update of the master on the layout (the reinforcement signal) followed by behaviour-cloning epochs on the aggregated
/// correction set (the imitation signal), so the master learns the operators' choices on the states the deployed master
/// visited without forgetting the task reward. Starts from the models directory's master when it has one.
/// Writes the same models directory, metrics.jsonl and plots as a plain retune. Single-threaded.
/// </summary>
/// <remarks>
/// DESIGN: a separate loop rather than a flag inside <see cref="Retuner"/>: Retuner has no per-iteration access to the
/// master, and the BC step must run between PPO iterations on the same network. The setup (family, config, budgets,
/// output bundle) follows Retuner's so the two retunes differ only by the imitation term; the small helpers are
/// repeated here rather than opened up in Retuner.
/// </remarks>
public static class CorrectionRetuner
{
    public static CorrectionRetuneSummary Run(RetuneOptions options, CorrectionOptions corrections, Action<IterationMetrics, int>? onIteration = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(corrections);
        if (options.Iterations < 1) throw new ConfigException($"--iterations must be ≥ 1, got {options.Iterations}");
        if (corrections.EpochsPerIteration < 1) throw new ConfigException($"corrections epochs per iteration must be ≥ 1, got {corrections.EpochsPerIteration}");
        var (description, subpolicies, deployed) = ModelsDirectory.Load(options.Subpolicies);
        if (description.Algorithm != "mlsh")
            throw new ConfigException($"retune needs MLSH sub-policies; {options.Subpolicies} holds a {description.Algorithm} policy", options.Subpolicies);
        var data = CorrectionLog.Load(corrections.LogPath, description.ObservationSize, subpolicies.Length);
        var (family, task, taskName) = Retuner.FamilyFor(description, options.Layout, options.Task, options.Subpolicies);
        using var ownedFamily = family as IDisposable;

        var config = BaseConfig(options.Subpolicies, deployed);
        // The corrected master starts from the deployed one, so by default it keeps seeing what that one saw.
        var macroSteps = Retuner.ApplyRetuneSettings(config, options, description, subpolicies.Length, family, options.MasterObserves ?? MasterObservation.All);

        // Maze families end in an ONNX bundle that replaces --out as a whole (as a plain retune): check --out first.
        var maze = family as MazeTaskFamily;
        if (maze is not null) BundleDirectory.CheckReplaceable(options.OutDirectory);
        var run = new RunDirectory(options.OutDirectory);
        if (File.Exists(run.MetricsFile)) File.Delete(run.MetricsFile);
        using var trainer = new MlshTrainer(config, family, [task], new MlshTrainerOptions
        {
            InitialSubpolicies = subpolicies, FreezeSubpolicies = true, DeterministicSubpolicies = options.MeanSubpolicyActions,
        });
        var master = trainer.Master!;
        var fromDeployed = deployed is not null && deployed.Parameters.Length == master.Parameters.Length;
        if (fromDeployed)
        {
            deployed!.Parameters.CopyTo(master.Parameters);
            master.Normalizer.SetStatistics(deployed.Normalizer.Count, deployed.Normalizer.RunningMean, deployed.Normalizer.RunningM2);
        }
        var agreementBefore = BehaviourCloning.Agreement(master, data);
        var nllBefore = BehaviourCloning.NegativeLogLikelihood(master, data);
        var cloning = new BehaviourCloning(data, corrections.LearningRate, corrections.EpochsPerIteration, corrections.MinibatchSize, seed: options.Seed);

        var history = new List<IterationMetrics>();
        for (var i = 0; i < options.Iterations; i++)
        {
            var m = trainer.RunIteration();
            cloning.Update(master);
            history.Add(m);
            run.AppendMetrics(m);
            onIteration?.Invoke(m, options.Iterations);
            if ((i + 1) % 10 == 0 || i + 1 == options.Iterations) run.WritePlots(history, $"retune {taskName} + corrections");
        }
        var eval = Evaluator.Run(family, task, trainer.Subpolicies, master, macroSteps, options.EvalEpisodes, options.Seed);
        if (maze is null)
        {
            TrainingRun.WriteModels(trainer, options.OutDirectory, options.Layout ?? "");
        }
        else
        {
            // The same bundle a plain retune writes (ONNX master the Runtime shadows or loads, manifest with hashes,
            // the trainer's networks, metrics, plots), with the corrections log named in the provenance.
            var (sourceConfig, sourceSha) = Retuner.SourceConfig(options.Subpolicies);
            var provenance = new Provenance
            {
                Config = $"{sourceConfig} + corrections {Retuner.DisplayPath(Path.GetFullPath(corrections.LogPath))}",
                ConfigSha256 = sourceSha,
                Iterations = options.Iterations,
                EvaluationSuccess = eval.SuccessRate,
                EvaluationEpisodes = eval.Episodes,
            };
            HierarchyExport.FromNetworks(trainer.Subpolicies, master, maze, macroSteps, provenance, options.OutDirectory,
                Retuner.DisplayPath(Path.GetFullPath(options.Layout!)), staging => Retuner.CopyRunFiles(run, staging));
        }
        var summary = new RetuneSummary(run.Path, taskName, options.Iterations, trainer.EnvSteps, eval.SuccessRate, eval.MeanReturn, eval.MeanSteps,
            history.Select(h => (h.EnvSteps, h.FirstEpisodeSuccessRate)).ToArray());
        return new CorrectionRetuneSummary(summary, data.Count, data.SkippedTornLines, agreementBefore, BehaviourCloning.Agreement(master, data),
            nllBefore, BehaviourCloning.NegativeLogLikelihood(master, data), fromDeployed);
    }

    /// <summary>Retuner's base configuration; the master's hidden sizes follow the deployed master so training can continue from it.</summary>
    private static TrainConfig BaseConfig(string subpoliciesPath, CategoricalActorCritic? deployed)
    {
        var runConfig = Path.Combine(subpoliciesPath, "config.yaml");
        var config = File.Exists(runConfig)
            ? TrainConfig.Load(runConfig)
            : new TrainConfig { Envs = 8, Master = new NetworkConfig { LearningRate = 1e-2f, Epochs = 10, MinibatchSize = 64 } };
        if (deployed is not null && !File.Exists(runConfig)) config.Master.Hidden = [.. deployed.Options.HiddenSizes];
        return config;
    }
}

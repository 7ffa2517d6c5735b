using Mlsh.Core.Configuration;
using Mlsh.Environments.Discrete;
using Mlsh.NeuralNets.Policies;
using Mlsh.Trainer.Mlsh;

namespace Mlsh.Trainer.Tests.Mlsh;

public sealed class RetuneAndEvalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-retune-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string TrainSmallRun()
    {
        var config = Path.Combine(_dir, "bandits.yaml");
        File.WriteAllText(config, File.ReadAllText(Path.Combine(Core.MlshPaths.Root, "configs", "movement-bandits-mlsh.yaml"))
            .Replace("iterations: 1500", "iterations: 4", StringComparison.Ordinal)
            .Replace("envs: 64", "envs: 2", StringComparison.Ordinal));
        var run = Path.Combine(_dir, "run");
        TrainingRun.Run(new TrainRunOptions { ConfigPath = config, OutDirectory = run });
        return run;
    }

    [Fact]
    public void Retune_FreezesSubpolicies_LearnsAMaster_AndWritesALoadableModelsDirectory()
    {
        var run = TrainSmallRun();
        var (_, trained, _) = ModelsDirectory.Load(run);
        var outDir = Path.Combine(_dir, "retuned");
        var summary = Retuner.Run(new RetuneOptions { Subpolicies = run, Task = 1, OutDirectory = outDir, Iterations = 3, EvalEpisodes = 4 });

        summary.Curve.Should().HaveCount(3);
        summary.Task.Should().Be("goal-1");
        var (d, subs, master) = ModelsDirectory.Load(outDir);
        master.Should().NotBeNull();
        d.Algorithm.Should().Be("mlsh");
        for (var k = 0; k < subs.Length; k++) subs[k].Parameters.ToArray().Should().Equal(trained[k].Parameters.ToArray(), "retuning must not touch sub-policies");
        File.ReadAllLines(Path.Combine(outDir, "metrics.jsonl")).Should().HaveCount(3).And.AllSatisfy(l => l.Should().Contain("\"phase\":\"retune\""));

        var eval = Evaluator.Run(new MovementBanditsTaskFamily(), 1, subs, master, d.MacroSteps, episodes: 6, seed: 3);
        eval.Episodes.Should().Be(6);
        eval.MeanSteps.Should().Be(50);
        Evaluator.Run(new MovementBanditsTaskFamily(), 1, subs, master, d.MacroSteps, episodes: 6, seed: 3).Should().Be(eval, "evaluation is deterministic for a seed");
    }

    [Fact]
    public void Retune_OnAMazeFlagForADiscreteFamily_FailsWithAnActionableMessage()
    {
        var run = TrainSmallRun();
        var act = () => Retuner.Run(new RetuneOptions { Subpolicies = run, Layout = "layouts/train/maze-01.yaml", OutDirectory = Path.Combine(_dir, "x") });
        act.Should().Throw<ConfigException>().WithMessage("*--layout applies to maze families*--task*");
    }

    [Fact]
    public void ModelsDirectory_WithACorruptedPolicyFile_FailsNamingIt()
    {
        var run = TrainSmallRun();
        var file = Path.Combine(run, "models", "subpolicy-1.bin");
        var bytes = File.ReadAllBytes(file);
        bytes[^40] ^= 0xFF;
        File.WriteAllBytes(file, bytes);
        var act = () => ModelsDirectory.Load(run);
        act.Should().Throw<Exception>().WithMessage($"*{file}*");
    }

    [Fact]
    public void Evaluator_FlatUntrainedPolicy_RunsTheRequestedEpisodes_AndScoresLow()
    {
        // Sanity of the evaluator's bookkeeping with a flat policy: a fresh (near-uniform) policy on
        // MovementBandits rarely sits on the goal, so its return is far below the ~40 of a goal seeker.
        var policy = new CategoricalActorCritic(new ActorCriticOptions { ObservationSize = 6, ActionSize = 5, HiddenSizes = [8], Seed = 1 });
        var r = Evaluator.Run(new MovementBanditsTaskFamily(), 0, [policy], null, 0, episodes: 10, seed: 2, stochastic: true);
        r.Episodes.Should().Be(10);
        r.MeanSteps.Should().Be(50);
        r.MeanReturn.Should().BeLessThan(15);
    }

    [Fact]
    public void Retune_MasterObservesPose_OnADiscreteFamily_FailsWithAnActionableMessage()
    {
        var run = TrainSmallRun();
        var act = () => Retuner.Run(new RetuneOptions { Subpolicies = run, Task = 1, OutDirectory = Path.Combine(_dir, "x"), Iterations = 1, MasterObserves = MasterObservation.Pose });
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain("--master-observes pose needs a maze family").And.Contain("use all");
    }
}

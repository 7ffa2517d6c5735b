using Mlsh.Environments.Discrete;
using Mlsh.Trainer.Configuration;
using Mlsh.Trainer.Mlsh;

namespace Mlsh.Trainer.Tests.Mlsh;

public sealed class LearningTests
{
    [Fact]
    public void Mlsh_OnMovementBandits_LearnsGoalSeekingSubpoliciesAndPerTaskMasters()
    {
        // The shipped config, shortened to 300 iterations (240k steps, ~20 s): a random hierarchy earns
        // ~2 per episode; with specialised sub-policies and a master that picks the right one after its
        // warm-up, the joint-period return climbs towards ~40 (the full run's plateau).
        var config = TrainConfig.Load(Path.Combine(Core.MlshPaths.Root, "configs", "movement-bandits-mlsh.yaml"));
        config.Iterations = 300;
        config.Seed = 3;
        // 16 instances per iteration with the minibatches scaled to match, as the config was before it went to 64
        // for a steadier evidence measurement: the same number of updates on a quarter of the data.
        config.Envs = 16;
        config.Master.MinibatchSize /= 4;
        config.Subpolicy.MinibatchSize /= 4;
        using var trainer = new MlshTrainer(config, new MovementBanditsTaskFamily(), [0, 1]);
        var history = Enumerable.Range(0, config.Iterations).Select(_ => trainer.RunIteration()).ToList();

        var early = history.Take(20).Average(m => m.MeanReturn);
        var lateJoint = history.Skip(200).Where(m => m.Phase == "joint").Average(m => m.MeanReturn);
        early.Should().BeLessThan(10);
        lateJoint.Should().BeGreaterThan(20, $"started at {early:F1}");
        lateJoint.Should().BeGreaterThan(2.5 * early);
    }
}

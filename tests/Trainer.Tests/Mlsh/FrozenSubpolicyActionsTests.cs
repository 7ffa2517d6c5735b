using Mlsh.Trainer.Configuration;
using Mlsh.Trainer.Mlsh;
using Mlsh.Trainer.Tests.Diagnostics;

namespace Mlsh.Trainer.Tests.Mlsh;

public class FrozenSubpolicyActionsTests
{
    private static TrainConfig Config() => TrainConfig.Parse("""
        algorithm: mlsh
        task_family:
          kind: pointmass_maze
          layouts: [layouts/train/corridor-east.yaml]
        seed: 3
        envs: 2
        rollout_steps: 40
        hierarchy:
          subpolicies: 2
          macro_steps: 10
        master:
          hidden: [8]
        subpolicy:
          hidden: [8]
          initial_log_std: -0.5
        """, "test.yaml");

    private static MlshTrainer Retuning(bool deterministic, out NeuralNets.Policies.GaussianActorCritic[] subs)
    {
        var config = Config();
        var family = TaskFamilies.Create(config.TaskFamily, "test.yaml");
        using var probe = family.CreateVectorEnv(1);
        subs = [SkillProbeTests.ConstantVelocity(probe.ObservationSize, 0.5f, 0), SkillProbeTests.ConstantVelocity(probe.ObservationSize, 0, -0.5f)];
        foreach (var s in subs) s.Parameters[s.LogStdOffset] = s.Parameters[s.LogStdOffset + 1] = -0.5f;
        return new MlshTrainer(config, family, [0], new MlshTrainerOptions { InitialSubpolicies = subs, FreezeSubpolicies = true, DeterministicSubpolicies = deterministic });
    }

    [Fact]
    public void Retuning_WithDeterministicSubpolicies_DrivesEachSkillWithItsMostProbableAction_AsDeployed()
    {
        using var trainer = Retuning(deterministic: true, out _);
        trainer.RunIteration();
        var actions = trainer.SubpolicyActions;
        var active = trainer.ActiveSubpolicy;
        active.ToArray().Should().Contain(0).And.Contain(1);
        for (var r = 0; r < active.Length; r++)
        {
            float[] expected = active[r] == 0 ? [0.5f, 0f] : [0f, -0.5f];
            actions.Slice(2 * r, 2).ToArray().Should().Equal(expected);
        }
    }

    [Fact]
    public void Retuning_WithSampledSubpolicies_AddsTheirExplorationNoise()
    {
        using var trainer = Retuning(deterministic: false, out _);
        trainer.RunIteration();
        var actions = trainer.SubpolicyActions;
        var active = trainer.ActiveSubpolicy;
        var offMean = 0;
        for (var r = 0; r < active.Length; r++)
            if (Math.Abs(actions[2 * r + (active[r] == 0 ? 1 : 0)]) > 0.05f) offMean++;
        offMean.Should().BeGreaterThan(active.Length / 2, "σ = e^-0.5 ≈ 0.6 puts most samples well off the mean");
    }

    [Fact]
    public void DeterministicSubpolicies_WithoutFreezing_IsRejected()
    {
        var config = Config();
        var family = TaskFamilies.Create(config.TaskFamily, "test.yaml");
        var act = () => new MlshTrainer(config, family, [0], new MlshTrainerOptions { DeterministicSubpolicies = true });
        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain("deterministic sub-policies need frozen ones");
    }

    [Fact]
    public void FirstEpisodeSuccessRate_CountsOneEpisodePerInstance_WhenSuccessesLeaveRoomForMore()
    {
        // Both skills walk east down corridor-east at 0.75 m/s: every episode succeeds early and the instances start
        // further episodes within the window; some of those finish, some do not.
        var config = Config();
        config.RolloutSteps = 400;
        var family = TaskFamilies.Create(config.TaskFamily, "test.yaml");
        using var probe = family.CreateVectorEnv(1);
        var east = SkillProbeTests.ConstantVelocity(probe.ObservationSize, 0.5f, 0);
        using var trainer = new MlshTrainer(config, family, [0], new MlshTrainerOptions
        {
            InitialSubpolicies = [east, SkillProbeTests.ConstantVelocity(probe.ObservationSize, 0.5f, 0)], FreezeSubpolicies = true, DeterministicSubpolicies = true,
        });

        var m = trainer.RunIteration();

        m.Episodes.Should().BeGreaterThan(2, "each of the 2 instances fits more than one successful episode in 400 steps");
        m.SuccessRate.Should().Be(1);
        m.FirstEpisodeSuccessRate.Should().Be(1);
        var line = global::Mlsh.Trainer.Runs.IterationMetrics.FromJsonLine(m.ToJsonLine());
        line.FirstEpisodeSuccessRate.Should().Be(1);
    }
}

using Mlsh.Core.Configuration;
using Mlsh.Environments.Observations;
using Mlsh.Environments.Tasks;
using Mlsh.NeuralNets.Policies;
using Mlsh.Trainer.Configuration;
using Mlsh.Trainer.Mlsh;

namespace Mlsh.Trainer.Tests.Mlsh;

public class IgnoredObservationsTests
{
    /// <summary>A point-mass MLSH config small enough to train a few joint iterations in seconds.</summary>
    private static string PointMassYaml(string hierarchyExtra, string algorithm = "mlsh", string kind = "pointmass_maze") => $"""
        algorithm: {algorithm}
        task_family:
          kind: {kind}
        {(kind == "pointmass_maze" ? "  layouts: [layouts/train/corridor-east.yaml, layouts/train/turn-left.yaml]" : "")}
        seed: 3
        iterations: 4
        envs: 2
        rollout_steps: 60
        hierarchy:
          subpolicies: 2
          macro_steps: 20
          warmup_iterations: 0
          joint_iterations: 2
        {hierarchyExtra}
        master:
          hidden: [16]
          learning_rate: 0.01
          epochs: 2
          minibatch_size: 16
        subpolicy:
          hidden: [16, 16]
          learning_rate: 0.01
          epochs: 2
          minibatch_size: 40
        """;

    private static MlshTrainer PointMassTrainer(TrainConfig config)
    {
        var family = TaskFamilies.Create(config.TaskFamily, "test.yaml");
        return new MlshTrainer(config, family, [0, 1]);
    }

    [Fact]
    public void Training_WithSubpolicyIgnores_KeepsTheSubpoliciesActionsIndependentOfPosition_WhileTheyLearn()
    {
        var config = TrainConfig.Parse(PointMassYaml("  subpolicy_ignores: [base_position_xy]"), "test.yaml");
        var trainer = PointMassTrainer(config);
        var layout = ((MazeTaskFamily)trainer.Family).ObservationLayout;
        var position = layout[ObservationLayout.BasePositionXy];
        var before = trainer.Subpolicies.Select(p => p.Parameters.ToArray()).ToArray();

        for (var i = 0; i < 4; i++) trainer.RunIteration();

        var obs = new float[layout.Size];
        for (var i = 0; i < obs.Length; i++) obs[i] = 0.3f * (i % 5) - 0.5f;
        var moved = (float[])obs.Clone();
        moved[position.Offset] += 4.5f;
        moved[position.Offset + 1] -= 3f;
        for (var k = 0; k < trainer.Subpolicies.Count; k++)
        {
            var p = (GaussianActorCritic)trainer.Subpolicies[k];
            p.Parameters.ToArray().Should().NotEqual(before[k], "the joint iterations update the sub-policies");
            p.BlindInputs.ToArray().Should().Equal(Enumerable.Range(position.Offset, position.Size));
            float[] a = new float[p.ActionSize], b = new float[p.ActionSize];
            p.ActDeterministic(obs, 1, a);
            p.ActDeterministic(moved, 1, b);
            b.Should().Equal(a, "a sub-policy blind to base_position_xy acts the same wherever the robot is");
            p.PredictValue(moved).Should().NotBe(p.PredictValue(obs), "the sub-policy's critic still sees the position");
        }
        var masterA = trainer.Master!.PredictValue(obs);
        trainer.Master.PredictValue(moved).Should().NotBe(masterA, "the master still sees the position");
    }

    [Fact]
    public void Training_WithMasterIgnores_KeepsTheMastersChoicesIndependentOfThoseSegments_ButNotOfPosition()
    {
        var config = TrainConfig.Parse(PointMassYaml("  master_ignores: [base_linear_velocity, previous_action]"), "test.yaml");
        var trainer = PointMassTrainer(config);
        var layout = ((MazeTaskFamily)trainer.Family).ObservationLayout;

        for (var i = 0; i < 3; i++) trainer.RunIteration();

        var master = trainer.Master!;
        var obs = new float[layout.Size];
        for (var i = 0; i < obs.Length; i++) obs[i] = 0.2f * (i % 4) - 0.3f;
        float[] Logits(float[] o)
        {
            var logp = new float[master.ActionSize];
            master.ActionLogProbabilities(o, 1, logp);
            return logp;
        }
        var velocity = (float[])obs.Clone();
        velocity[layout[ObservationLayout.BaseLinearVelocity].Offset] += 2f;
        velocity[layout[ObservationLayout.PreviousAction].Offset + 1] -= 0.7f;
        var position = (float[])obs.Clone();
        position[layout[ObservationLayout.BasePositionXy].Offset] += 3f;

        Logits(velocity).Should().Equal(Logits(obs), "the master is blind to velocity and previous action");
        Logits(position).Should().NotEqual(Logits(obs), "the master still sees where the robot is");
        trainer.Subpolicies[0].BlindInputs.Length.Should().Be(0, "master_ignores leaves the sub-policies alone");
    }

    [Fact]
    public void Training_WithoutSubpolicyIgnores_LetsSubpoliciesDependOnPosition()
    {
        var trainer = PointMassTrainer(TrainConfig.Parse(PointMassYaml(""), "test.yaml"));
        var layout = ((MazeTaskFamily)trainer.Family).ObservationLayout;
        var obs = new float[layout.Size];
        var moved = (float[])obs.Clone();
        moved[layout[ObservationLayout.BasePositionXy].Offset] += 4.5f;
        var p = (GaussianActorCritic)trainer.Subpolicies[0];
        float[] a = new float[p.ActionSize], b = new float[p.ActionSize];
        p.ActDeterministic(obs, 1, a);
        p.ActDeterministic(moved, 1, b);
        b.Should().NotEqual(a, "the control for the test above: position does reach an unblinded sub-policy");
        p.BlindInputs.Length.Should().Be(0);
    }

    [Fact]
    public void Config_WithAnUnknownSegmentName_FailsNamingTheKeyAndTheSegments()
    {
        var act = () => TrainConfig.Parse(PointMassYaml("  subpolicy_ignores: [base_position]"), "test.yaml");

        act.Should().Throw<ConfigException>().WithMessage("*hierarchy.subpolicy_ignores*'base_position'*base_position_xy, base_yaw_cos_sin*");
    }

    [Theory]
    [InlineData("flat", "pointmass_maze", "subpolicy_ignores")]
    [InlineData("mlsh", "four_rooms", "subpolicy_ignores")]
    [InlineData("flat", "pointmass_maze", "master_ignores")]
    [InlineData("mlsh", "four_rooms", "master_ignores")]
    public void Config_WithIgnores_OutsideMlshOnAMaze_FailsNamingTheKey(string algorithm, string kind, string key)
    {
        var act = () => TrainConfig.Parse(PointMassYaml($"  {key}: [base_position_xy]", algorithm, kind), "test.yaml");

        act.Should().Throw<ConfigException>().WithMessage($"*hierarchy.{key}*maze*");
    }
}

using Mlsh.Core;
using Mlsh.Core.Configuration;
using Mlsh.Environments.Tasks;
using Mlsh.Trainer.Diagnostics;
using Mlsh.Trainer.Mlsh;
using Mlsh.Trainer.Tests.Diagnostics;

namespace Mlsh.Trainer.Tests.Mlsh;

public sealed class SkillMirroringTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mlsh-mirror-" + Guid.NewGuid().ToString("N"));
    private static readonly string Stage4 = Path.Combine(MlshPaths.Models, "quadruped-stage4");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    [Fact]
    public void Write_TheMirrorOfTheShippedLeftTurn_TurnsRightAsSharply()
    {
        // models/quadruped-stage4 sub-policy 2 turns left about 34° per macro step, and no sub-policy turns right
        // faster than 14°: the gap the mirror fills (docs/evidence/quadruped.md, stage 4).
        var result = SkillMirroring.Write(Stage4, _dir, [2]);
        result.Subpolicies.Should().Be(5);
        result.MirrorOf.Should().Equal(2);

        var (description, subs, master) = ModelsDirectory.Load(_dir);
        master.Should().BeNull("a master chooses among a fixed number of sub-policies: retune one for the new set");
        description.Subpolicies.Should().HaveCount(5);
        using var family = MazeTaskFamily.Create("quadruped", [SkillProbeTests.Arena]);
        var probe = SkillProbe.Run(family, 0, [subs[2], subs[4]], description.MacroSteps, macrosPerEpisode: 6, episodes: 8, seed: 1);
        var (left, right) = (probe[0], probe[1]);
        left.MeanTurnDegrees.Should().BeGreaterThan(20);
        right.MeanTurnDegrees.Should().BeLessThan(-20);
        Math.Abs(left.MeanTurnDegrees + right.MeanTurnDegrees).Should().BeLessThan(10, "mirror images turn by opposite angles (up to the random start states)");
        right.BodyHeadingDegrees.Should().BeApproximately(-left.BodyHeadingDegrees, 10);
        right.Falls.Should().Be(0);
    }

    [Fact]
    public void Write_WithoutAList_MirrorsEverySubpolicy_OriginalsFirst()
    {
        var result = SkillMirroring.Write(Stage4, _dir);
        result.Subpolicies.Should().Be(8);
        result.MirrorOf.Should().Equal(0, 1, 2, 3);
        var (_, subs, _) = ModelsDirectory.Load(_dir);
        var (_, originals, _) = ModelsDirectory.Load(Stage4);
        subs[1].Parameters.ToArray().Should().Equal(originals[1].Parameters.ToArray());
        subs[5].Parameters.ToArray().Should().NotEqual(originals[1].Parameters.ToArray());
    }

    [Theory]
    [InlineData(new[] { 4 }, "4 is not a sub-policy; the directory has 0..3")]
    [InlineData(new[] { 1, 1 }, "names a sub-policy twice")]
    public void Write_RejectsABadSubpolicyList_WritingNothing(int[] which, string message)
    {
        var act = () => SkillMirroring.Write(Stage4, _dir, which);
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain(message);
        Directory.Exists(_dir).Should().BeFalse();
    }

    [Fact]
    public void Write_RejectsADiscreteFamily()
    {
        var flat = Path.Combine(_dir, "src");
        ModelsDirectory.Write(flat, new ModelsDescription { TaskFamily = "movement_bandits", ObservationSize = 6, ActionKind = "discrete", ActionSize = 5, MacroSteps = 10 },
            [new NeuralNets.Policies.CategoricalActorCritic(new NeuralNets.Policies.ActorCriticOptions { ObservationSize = 6, ActionSize = 5 })], null);
        var act = () => SkillMirroring.Write(flat, Path.Combine(_dir, "out"));
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain("on a robot (quadruped_maze or pointmass_maze)");
    }
}

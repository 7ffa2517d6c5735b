using Mlsh.Core.Configuration;
using Mlsh.Environments.Gaits;
using Mlsh.Environments.Observations;
using Mlsh.Environments.Robots;
using Mlsh.Environments.Tasks;
using Mlsh.Environments.Tests.Tasks;

namespace Mlsh.Environments.Tests.Gaits;

public class TrotGaitTests
{
    private static (double X, double Y, double Yaw) Walk(double forward, double turn, double seconds)
    {
        var family = EnvFixtures.Tiny("quadruped", "#########/#S......#/#......G#/#########", new MazeTaskOptions { ResetNoiseScale = 0 }, cellSize: 2.0);
        using var env = family.CreateVectorEnv(1);
        env.Reset(0);
        var gait = new TrotGait(family.Robot);
        var steps = (int)(seconds / family.Robot.PolicyDt);
        for (var t = 0; t < steps; t++)
        {
            gait.WriteActions(t * family.Robot.PolicyDt, forward, turn, env.Actions);
            env.Step();
            env.EpisodeEnds[0].Should().Be(EpisodeEnd.None, "the trot neither falls nor diverges");
        }
        var l = env.ObservationLayout;
        var o = env.Observations;
        var yaw = Math.Atan2(o[l[ObservationLayout.BaseYawCosSin].Offset + 1], o[l[ObservationLayout.BaseYawCosSin].Offset]);
        return (env.Positions[0], env.Positions[1], yaw);
    }

    [Fact]
    public void Trot_WalksTheQuadrupedForwardThroughThePdLaw()
    {
        var (x, y, _) = Walk(forward: 1, turn: 0, seconds: 4);
        x.Should().BeGreaterThan(0.8);
        Math.Abs(y).Should().BeLessThan(0.6);
    }

    [Fact]
    public void Trot_TurnsCounterClockwise_ForAPositiveTurn()
    {
        var (_, _, yaw) = Walk(forward: 0, turn: 1, seconds: 0.5);
        yaw.Should().BeInRange(0.3, 3.0); // spins in place at a few rad/s; half a second stays below π
    }

    [Fact]
    public void Trot_TurnsClockwise_ForANegativeTurn()
    {
        var (_, _, yaw) = Walk(forward: 0, turn: -1, seconds: 0.5);
        yaw.Should().BeInRange(-3.0, -0.3);
    }

    [Fact]
    public void Constructor_RejectsARobotWithoutLegJoints()
    {
        var act = () => new TrotGait(RobotConfig.LoadShipped("pointmass"));
        act.Should().Throw<ConfigException>();
    }
}

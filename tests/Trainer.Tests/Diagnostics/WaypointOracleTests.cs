using Mlsh.Core;
using Mlsh.Environments.Tasks;
using Mlsh.NeuralNets.Policies;
using Mlsh.Trainer.Diagnostics;
using Mlsh.Trainer.Mlsh;
using static Mlsh.Trainer.Tests.Diagnostics.SkillProbeTests;

namespace Mlsh.Trainer.Tests.Diagnostics;

public class WaypointOracleTests
{
    private static readonly string Maze01 = Path.Combine(MlshPaths.Layouts, "train", "maze-01.yaml");

    /// <summary>Probes the given constant-velocity point-mass skills, then runs the waypoint oracle over them on maze-01
    /// (east, south, then west).</summary>
    private static EvalResult OracleOnMaze01(params (float Ax, float Ay)[] velocities)
    {
        using var arena = MazeTaskFamily.Create("pointmass", [Arena]);
        using var env = arena.CreateVectorEnv(1);
        ActorCritic[] skills = velocities.Select(v => (ActorCritic)ConstantVelocity(env.ObservationSize, v.Ax, v.Ay)).ToArray();
        var probed = SkillProbe.Run(arena, 0, skills, macroSteps: 10, macrosPerEpisode: 3, episodes: 2, seed: 1);
        using var maze = MazeTaskFamily.Create("pointmass", [Maze01]);
        return Evaluator.Run(maze, 0, skills, master: null, macroSteps: 4, episodes: 4, seed: 3,
            scriptedMaster: WaypointOracle.For(maze.Tasks[0].Layout, probed));
    }

    [Fact]
    public void Oracle_WithSkillsForEveryCompassDirection_SolvesTheMaze()
    {
        var r = OracleOnMaze01((0.6f, 0), (0, 0.6f), (-0.6f, 0), (0, -0.6f));

        r.SuccessRate.Should().Be(1.0, "east, north, west and south skills can follow any grid path");
    }

    [Fact]
    public void Oracle_WithoutAWestSkill_CannotSolveAMazeThatEndsWestward()
    {
        var r = OracleOnMaze01((0.6f, 0), (0, 0.6f), (0, -0.6f));

        r.SuccessRate.Should().Be(0, "maze-01's last leg leads west and no skill goes there");
    }

    [Fact]
    public void Oracle_WhenNoSkillMoves_IsRejected()
    {
        using var maze = MazeTaskFamily.Create("pointmass", [Maze01]);
        var still = new SkillProbeResult(0, 0, 0, 0, 0, 0, 0, []);

        var act = () => WaypointOracle.For(maze.Tasks[0].Layout, [still]);

        act.Should().Throw<ArgumentException>().WithMessage("*no probed sub-policy moved*");
    }

    [Fact]
    public void Evaluator_RefusesALearnedAndAScriptedMasterTogether()
    {
        using var maze = MazeTaskFamily.Create("pointmass", [Maze01]);
        using var env = maze.CreateVectorEnv(1);
        var skill = ConstantVelocity(env.ObservationSize, 1, 0);
        var master = new CategoricalActorCritic(new ActorCriticOptions { ObservationSize = env.ObservationSize, ActionSize = 1, HiddenSizes = [4] });

        var act = () => Evaluator.Run(maze, 0, [skill], master, 4, 1, 1, scriptedMaster: (_, _, _) => 0);

        act.Should().Throw<ArgumentException>().WithMessage("*not both*");
    }

    /// <summary>A raw maze observation row whose base_yaw_cos_sin says the robot faces <paramref name="yawDegrees"/>.</summary>
    private static float[] Facing(double yawDegrees)
    {
        var layout = new Environments.Observations.ObservationLayout(0, 2);
        var obs = new float[layout.Size];
        var at = layout[Environments.Observations.ObservationLayout.BaseYawCosSin].Offset;
        obs[at] = (float)Math.Cos(yawDegrees * Math.PI / 180);
        obs[at + 1] = (float)Math.Sin(yawDegrees * Math.PI / 180);
        return obs;
    }

    [Fact]
    public void BodyFrameOracle_PicksTheSkillThatPointsAtTheWaypointFromWhereTheRobotFaces()
    {
        // corridor-north: the next waypoint from the start is due north.
        var layout = Environments.Mazes.MazeLayout.Load(Path.Combine(MlshPaths.Layouts, "train", "corridor-north.yaml"));
        var forward = new SkillProbeResult(0, 6, 1, 0, 1, 1, 0, []) { MeanForward = 1, MeanLeft = 0 };
        var left = new SkillProbeResult(1, 6, 1, 0, 1, 1, 0, []) { MeanForward = 0, MeanLeft = 1 };
        var (x, y) = layout.Frame.CellCenter(layout.Start);
        layout.NextWaypoint(x, y).Y.Should().BeGreaterThan(y + 0.5, "the fixture's path leads north");

        var body = WaypointOracle.For(layout, [forward, left], SkillFrame.Body);
        var world = WaypointOracle.For(layout, [forward, left], SkillFrame.World);

        body((float)x, (float)y, Facing(0)).Should().Be(1, "facing east, north is to the left");
        body((float)x, (float)y, Facing(90)).Should().Be(0, "facing north, north is straight ahead");
        world((float)x, (float)y, Facing(90)).Should().Be(0, "in the world frame both probes point east and the first wins");
    }

    [Fact]
    public void BodyFrameOracle_NeedsProbesWithAHeading()
    {
        using var maze = MazeTaskFamily.Create("pointmass", [Maze01]);
        var noHeading = new SkillProbeResult(0, 6, 1, 0, 1, 1, 0, []);

        var act = () => WaypointOracle.For(maze.Tasks[0].Layout, [noHeading], SkillFrame.Body);

        act.Should().Throw<ArgumentException>().WithMessage("*body-frame oracle needs probes with a heading*");
    }

    [Fact]
    public void FrameOf_IsBody_OnlyWhenEverySubpolicyIgnoresTheHeading()
    {
        var layout = new Environments.Observations.ObservationLayout(0, 2);
        var yaw = layout[Environments.Observations.ObservationLayout.BaseYawCosSin];
        GaussianActorCritic Skill(bool blind)
        {
            var p = new GaussianActorCritic(new ActorCriticOptions { ObservationSize = layout.Size, ActionSize = 2, HiddenSizes = [8], Seed = 3 });
            if (blind) p.BlindPolicyTo(yaw.Offset, yaw.Size);
            return p;
        }

        WaypointOracle.FrameOf([Skill(true), Skill(true)], layout).Should().Be(SkillFrame.Body);
        WaypointOracle.FrameOf([Skill(true), Skill(false)], layout).Should().Be(SkillFrame.World);
    }
}

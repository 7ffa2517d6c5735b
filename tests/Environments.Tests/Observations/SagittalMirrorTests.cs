using Mlsh.Core.Configuration;
using Mlsh.Environments.Observations;
using Mlsh.Environments.Robots;
using Mlsh.Environments.Tasks;
using Mlsh.Environments.Tests.Tasks;

namespace Mlsh.Environments.Tests.Observations;

public class SagittalMirrorTests
{
    // A room symmetric about the start row, so the mirror image of the robot is in the mirror-image maze.
    private const string Room = "#######/#.....#/#..S..#/#....G#/#######";

    [Fact]
    public void For_TheQuadruped_IsASignedInvolutionOverItsWholeObservationAndAction()
    {
        var robot = RobotConfig.LoadShipped("quadruped");
        var mirror = SagittalMirror.For(robot);
        mirror.ObservationSource.Length.Should().Be(37);
        for (var i = 0; i < 37; i++)
        {
            mirror.ObservationSource[mirror.ObservationSource[i]].Should().Be(i);
            mirror.ObservationSign[mirror.ObservationSource[i]].Should().Be(mirror.ObservationSign[i]);
        }
        // Action order fl_hip, fl_knee, fr_hip, fr_knee, bl_hip, bl_knee, br_hip, br_knee.
        mirror.ActionSource.ToArray().Should().Equal(2, 3, 0, 1, 6, 7, 4, 5);
        mirror.ActionSign.ToArray().Should().Equal(-1, 1, -1, 1, -1, 1, -1, 1);
        var layout = ObservationLayout.For(robot);
        var w = layout[ObservationLayout.BaseAngularVelocity].Offset;
        mirror.ObservationSign.Slice(w, 3).ToArray().Should().Equal(-1, 1, -1); // an axial vector
    }

    [Theory]
    [InlineData("quadruped")]
    [InlineData("pointmass")]
    public void MirroredStateAndActions_StayTheMirrorImageOfTheOriginal_UnderThePhysics(string robotName)
    {
        var robot = RobotConfig.LoadShipped(robotName);
        var mirror = SagittalMirror.For(robot);
        var error = RunMirroredPair(robot, mirror.MirrorObservation, mirror.MirrorAction, out var moved);
        moved.Should().BeGreaterThan(0.05, "the random actions must move the robot for the comparison to mean something");
        error.Should().BeLessThan(1e-4f, "MuJoCo is deterministic and the model symmetric: the two runs agree to rounding (bit-exact here)");
    }

    [Fact]
    public void AMirrorMapThatForgetsToFlipTheHips_DoesNotMatchThePhysics()
    {
        // The negative control of the test above: the same comparison catches a wrong joint map.
        var robot = RobotConfig.LoadShipped("quadruped");
        var mirror = SagittalMirror.For(robot);
        var hipUnflipped = mirror.ActionSign.ToArray().Select(s => 1f).ToArray();
        var source = mirror.ActionSource.ToArray();
        var layout = ObservationLayout.For(robot);
        void WrongAction(ReadOnlySpan<float> a, Span<float> d)
        {
            for (var i = 0; i < a.Length; i++) d[i] = hipUnflipped[i] * a[source[i]];
        }
        void WrongObservation(ReadOnlySpan<float> o, Span<float> d)
        {
            mirror.MirrorObservation(o, d);
            foreach (var name in new[] { ObservationLayout.JointPositionOffset, ObservationLayout.JointVelocity, ObservationLayout.PreviousAction })
            {
                var s = layout[name];
                for (var k = 0; k < s.Size; k++) d[s.Offset + k] = o[s.Offset + source[k]];
            }
        }
        var error = RunMirroredPair(robot, WrongObservation, WrongAction, out _);
        error.Should().BeGreaterThan(0.05f);
    }

    [Fact]
    public void For_ARobotWithoutAMirrorMap_SaysWhatToAdd()
    {
        var robot = RobotConfig.LoadShipped("quadruped");
        var asymmetric = new RobotConfig
        {
            Name = "lopsided", MjcfPath = robot.MjcfPath, BaseBody = robot.BaseBody, PhysicsDt = robot.PhysicsDt,
            PolicyDecimation = robot.PolicyDecimation, ControlMode = robot.ControlMode, ObserveJoints = true,
            SpawnHeight = robot.SpawnHeight, Sensors = robot.Sensors, FallMinBaseHeight = robot.FallMinBaseHeight,
            FallMaxTilt = robot.FallMaxTilt, ResetJointNoise = 0, ResetBasePositionNoise = 0, ResetBaseYawNoise = 0,
            Joints = robot.Joints.Select(j => j with { Mirror = null }).ToArray(),
        };
        var act = () => SagittalMirror.For(asymmetric);
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain("'lopsided'").And.Contain("'mirror' and 'mirror_sign'");
    }

    private delegate void Mirror(ReadOnlySpan<float> source, Span<float> destination);

    /// <summary>
    /// Instance 0 starts from a random reset; instance 1 from its mirror image. For one second, instance 0 gets
    /// random actions and instance 1 their mirror images. Returns the largest difference between instance 1's
    /// observation and the mirror of instance 0's, and how far instance 0 moved (m).
    /// </summary>
    private static float RunMirroredPair(RobotConfig robot, Mirror mirrorObservation, Mirror mirrorAction, out double moved)
    {
        using var family = MazeTaskFamily.Create(robot, [Mlsh.Environments.Mazes.MazeLayout.Parse("name: room\ncell_size: 1.5\ngrid: |\n" +
            string.Concat(Room.Split('/').Select(r => "  " + r + "\n")), "room.yaml")]);
        using var env = family.CreateVectorEnv(2);
        env.Reset(7);
        var binding = family.Tasks[0].Binding;
        var d0 = env.DataOf(0);
        var d1 = env.DataOf(1);
        var q0 = d0.Qpos;
        var q1 = d1.Qpos;
        var ja = robot.Joints.Select(j => robot.Joints.ToList().FindIndex(k => k.Name == j.Mirror)).ToArray();
        for (var j = 0; j < robot.Joints.Count; j++)
            q1[binding.JointQposAdr[j]] = robot.Joints[j].MirrorSign * q0[binding.JointQposAdr[ja[j]]];
        if (binding.BaseFreeQposAdr >= 0)
        {
            var a = binding.BaseFreeQposAdr;
            q1[a + 2] = q0[a + 2];
            // The reflection y → −y turns the rotation quaternion (w, x, y, z) into (w, −x, y, −z).
            q1[a + 3] = q0[a + 3]; q1[a + 4] = -q0[a + 4]; q1[a + 5] = q0[a + 5]; q1[a + 6] = -q0[a + 6];
            env.PlaceBase(1, q0[a], -q0[a + 1]);
        }
        else env.PlaceBase(1, q0[binding.JointQposAdr[0]], -q0[binding.JointQposAdr[1]]);

        var n = env.ObservationSize;
        var m = robot.ActionSize;
        var expected = new float[n];
        var random = new Random(3);
        var start = env.Positions.ToArray();
        var worst = 0f;
        for (var step = 0; step <= 50; step++)
        {
            mirrorObservation(env.Observations[..n], expected);
            var actual = env.Observations.Slice(n, n);
            for (var i = 0; i < n; i++) worst = Math.Max(worst, Math.Abs(actual[i] - expected[i]));
            if (step == 50) break;
            // A trot-like random gait: smooth enough to walk, random enough to exercise every joint.
            for (var k = 0; k < m; k++) env.Actions[k] = (float)Math.Clamp(Math.Sin(0.4 * step + k) + 0.5 * (random.NextDouble() * 2 - 1), -1, 1);
            mirrorAction(env.Actions[..m], env.Actions.Slice(m, m));
            env.Step();
            env.EpisodeEnds[0].Should().Be(EpisodeEnd.None);
            env.EpisodeEnds[1].Should().Be(EpisodeEnd.None);
        }
        moved = Math.Sqrt(Math.Pow(env.Positions[0] - start[0], 2) + Math.Pow(env.Positions[1] - start[1], 2));
        return worst;
    }
}

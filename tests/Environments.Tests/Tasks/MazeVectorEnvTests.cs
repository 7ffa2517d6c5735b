using Mlsh.Environments.Observations;
using Mlsh.Core.Randomness;
using Mlsh.Environments.Tasks;

namespace Mlsh.Environments.Tests.Tasks;

public class MazeVectorEnvTests
{
    private static float[] Rollout(MazeTaskFamily family, ulong seed, int steps, int count = 2)
    {
        using var env = family.CreateVectorEnv(count);
        env.Reset(seed);
        var stream = new List<float>(steps * env.Observations.Length);
        var policy = new SplitMix64(7); // the same action sequence for every rollout
        for (var t = 0; t < steps; t++)
        {
            var a = env.Actions;
            for (var k = 0; k < a.Length; k++) a[k] = (float)policy.NextSymmetric(1);
            env.Step();
            stream.AddRange(env.Observations.ToArray());
            stream.AddRange(env.Rewards.ToArray());
        }
        return stream.ToArray();
    }

    [Fact]
    public void Step_ProducesBitIdenticalObservationStreams_ForTheSameSeed_AcrossAutoResets()
    {
        var family = EnvFixtures.Tiny("quadruped", "#####/#S.G#/#####", new MazeTaskOptions { TimeLimit = 1.0 });
        var a = Rollout(family, seed: 1234, steps: 300);
        var b = Rollout(family, seed: 1234, steps: 300);
        a.AsSpan().SequenceEqual(b).Should().BeTrue();
        a.Should().OnlyContain(x => float.IsFinite(x));
    }

    [Fact]
    public void Step_ProducesDifferentStreams_ForDifferentSeeds()
    {
        var a = Rollout(EnvFixtures.Quadruped, seed: 1, steps: 50);
        var b = Rollout(EnvFixtures.Quadruped, seed: 2, steps: 50);
        a.AsSpan().SequenceEqual(b).Should().BeFalse();
    }

    [Fact]
    public void Reset_GivesEachInstanceItsOwnNoise()
    {
        using var env = EnvFixtures.Quadruped.CreateVectorEnv(2);
        env.Reset(99);
        var n = env.ObservationSize;
        env.Observations[..n].SequenceEqual(env.Observations[n..]).Should().BeFalse();
    }

    [Fact]
    public void Step_AllocatesNothing_Over1000StepsIncludingAutoResets()
    {
        var family = EnvFixtures.Tiny("quadruped", "#####/#S.G#/#####", new MazeTaskOptions { TimeLimit = 0.5 });
        using var env = family.CreateVectorEnv(2);
        env.Reset(5);
        var rng = new SplitMix64(3);
        void Fill()
        {
            var a = env.Actions;
            for (var k = 0; k < a.Length; k++) a[k] = (float)rng.NextSymmetric(1);
        }
        for (var t = 0; t < 50; t++) { Fill(); env.Step(); }
        var finished = env.EpisodesFinished;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var t = 0; t < 1000; t++) { Fill(); env.Step(); }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        allocated.Should().Be(0);
        (env.EpisodesFinished - finished).Should().BeGreaterThan(10, "the window must include auto-resets");
    }

    [Fact]
    public void Step_TruncatesAtTheTimeLimit_WithTheLastObservationInFinalObservations()
    {
        var family = EnvFixtures.Tiny("pointmass", "########/#S.....#/#.....G#/########", new MazeTaskOptions { TimeLimit = 1.0, ResetNoiseScale = 0 });
        using var env = family.CreateVectorEnv(1);
        env.Reset(0);
        env.MaxEpisodeSteps.Should().Be(20); // 1 s at 20 Hz
        var xOffset = env.ObservationLayout[ObservationLayout.BasePositionXy].Offset;
        float lastX = 0;
        for (var t = 0; t < env.MaxEpisodeSteps; t++)
        {
            env.Terminated[0].Should().BeFalse();
            env.Truncated[0].Should().BeFalse();
            lastX = env.Observations[xOffset];
            env.Actions[0] = 1f;   // east at full speed
            env.Actions[1] = 0f;
            env.Step();
        }
        env.Truncated[0].Should().BeTrue();
        env.Terminated[0].Should().BeFalse();
        env.Succeeded[0].Should().BeFalse();
        env.EpisodeEnds[0].Should().Be(EpisodeEnd.TimeLimit);
        env.FinalObservations[xOffset].Should().BeGreaterThan(lastX).And.BeGreaterThan(0.5f);
        env.Observations[xOffset].Should().Be(0f, "the instance restarted on the start cell");
        env.Positions[0].Should().Be(0f);
    }

    [Theory]
    [InlineData("quadruped")]
    [InlineData("pointmass")]
    public void Step_Succeeds_WhenTheRobotIsPlacedAtTheGoal(string robot)
    {
        var family = robot == "quadruped" ? EnvFixtures.Quadruped : EnvFixtures.PointMass;
        using var env = family.CreateVectorEnv(2);
        env.Task = 1; // maze-01
        env.Reset(11);
        var layout = env.CurrentTask.Layout;
        var (gx, gy) = layout.Frame.CellCenter(layout.Goal);
        env.PlaceBase(0, gx, gy);
        env.Actions.Clear();
        env.Step();
        env.Terminated[0].Should().BeTrue();
        env.Succeeded[0].Should().BeTrue();
        env.Truncated[0].Should().BeFalse();
        env.EpisodeEnds[0].Should().Be(EpisodeEnd.Success);
        env.Rewards[0].Should().BeApproximately((float)family.Options.SuccessBonus, 0.5f);
        var xy = env.ObservationLayout[ObservationLayout.BasePositionXy].Offset;
        env.FinalObservations[xy].Should().BeApproximately((float)gx, 0.2f);
        env.FinalObservations[xy + 1].Should().BeApproximately((float)gy, 0.2f);
        Math.Abs(env.Observations[xy]).Should().BeLessThan(0.2f, "the next episode starts on the start cell");
        env.Succeeded[1].Should().BeFalse();
    }

    [Fact]
    public void Step_ResetsAndCountsADivergence_InsteadOfThrowing()
    {
        using var env = EnvFixtures.Quadruped.CreateVectorEnv(2);
        env.Reset(3);
        env.Actions.Clear();
        env.Step();
        var lastGood = env.Observations[..env.ObservationSize].ToArray();
        env.DataOf(0).Qvel[0] = double.NaN;
        env.Step();
        env.DivergenceCount.Should().Be(1);
        env.EpisodeEnds[0].Should().Be(EpisodeEnd.Divergence);
        env.Truncated[0].Should().BeTrue();
        env.Terminated[0].Should().BeFalse();
        env.FinalObservations[..env.ObservationSize].ToArray().Should().Equal(lastGood);
        env.Observations.ToArray().Should().OnlyContain(x => float.IsFinite(x));
        env.EpisodeEnds[1].Should().Be(EpisodeEnd.None);
        env.Step();
        env.DivergenceCount.Should().Be(1, "the reset instance steps normally again");
    }

    [Fact]
    public void Step_TerminatesOnAFall_WithoutSuccess()
    {
        using var env = EnvFixtures.Quadruped.CreateVectorEnv(1);
        env.Reset(4);
        var qpos = env.DataOf(0).Qpos;
        qpos[3] = 0; qpos[4] = 1; qpos[5] = 0; qpos[6] = 0;  // upside down
        env.Actions.Clear();
        env.Step();
        env.EpisodeEnds[0].Should().Be(EpisodeEnd.Fall);
        env.Terminated[0].Should().BeTrue();
        env.Succeeded[0].Should().BeFalse();
    }

    [Fact]
    public void Step_RewardsProgressAlongThePath_ByTheMetresGained()
    {
        using var env = EnvFixtures.PointMass.CreateVectorEnv(1); // corridor-east: goal 4 cells east
        env.Reset(8);
        var start = env.DistancesToGoal[0];
        double total = 0;
        for (var t = 0; t < 20; t++)
        {
            env.Actions[0] = 1f;
            env.Actions[1] = 0f;
            env.Step();
            env.EpisodeEnds[0].Should().Be(EpisodeEnd.None);
            total += env.Rewards[0];
        }
        var gained = start - env.DistancesToGoal[0];
        gained.Should().BeGreaterThan(1.0f);
        total.Should().BeApproximately(gained, 1e-3);
    }

    [Fact]
    public void Observations_MatchTheLayoutSize()
    {
        using var env = EnvFixtures.Quadruped.CreateVectorEnv(3);
        env.ObservationSize.Should().Be(env.ObservationLayout.Size);
        env.Observations.Length.Should().Be(3 * env.ObservationLayout.Size);
        env.FinalObservations.Length.Should().Be(3 * env.ObservationLayout.Size);
        env.Actions.Length.Should().Be(3 * 8);
        env.ActionSpace.Should().Be(new ActionSpace(ActionKind.Continuous, 8));
        env.ActionIndices.Length.Should().Be(0);
        env.Positions.Length.Should().Be(6);
    }

    [Fact]
    public void Observations_AtResetShowTheRobotLevelAtTheStartFacingEast()
    {
        using var env = EnvFixtures.Quadruped.CreateVectorEnv(1);
        env.Reset(0);
        var l = env.ObservationLayout;
        var o = env.Observations;
        Math.Abs(o[l[ObservationLayout.BasePositionXy].Offset]).Should().BeLessThanOrEqualTo(0.05f);
        o[l[ObservationLayout.BaseYawCosSin].Offset].Should().BeGreaterThan(0.99f);
        o[l[ObservationLayout.ProjectedGravity].Offset + 2].Should().BeApproximately(-1f, 1e-4f);
        o.Slice(l[ObservationLayout.PreviousAction].Offset, 8).ToArray().Should().OnlyContain(x => x == 0f);
    }

    private static double[] StartHeadingsDegrees(MazeTaskOptions options, int count)
    {
        var family = EnvFixtures.Tiny("quadruped", "#######/#S...G#/#######", options);
        using var env = family.CreateVectorEnv(count);
        env.Reset(5);
        var yaw = env.ObservationLayout[ObservationLayout.BaseYawCosSin].Offset;
        var n = env.ObservationSize;
        return Enumerable.Range(0, count)
            .Select(i => Math.Atan2(env.Observations[i * n + yaw + 1], env.Observations[i * n + yaw]) * 180 / Math.PI).ToArray();
    }

    [Fact]
    public void Reset_WithAStartHeadingSpread_FacesEveryWayWithinIt()
    {
        var any = StartHeadingsDegrees(new MazeTaskOptions { StartHeadingSpread = 180 }, 32);
        any.Should().Contain(d => Math.Abs(d) > 135, "a half-turn spread must start some episodes facing west");
        any.Should().Contain(d => d > 45).And.Contain(d => d < -45);

        // The robot's own reset noise (a few degrees) comes on top of the spread.
        var narrow = StartHeadingsDegrees(new MazeTaskOptions { StartHeadingSpread = 30 }, 32);
        narrow.Should().OnlyContain(d => Math.Abs(d) < 36).And.Contain(d => Math.Abs(d) > 10);
    }

    [Fact]
    public void Reset_WithoutASpread_StartsFacingEastWithinTheRobotsYawNoise() =>
        StartHeadingsDegrees(MazeTaskOptions.Default, 16).Should().OnlyContain(d => Math.Abs(d) < 6);

    [Fact]
    public void Task_SwitchesLayoutAtTheNextReset()
    {
        using var env = EnvFixtures.Quadruped.CreateVectorEnv(1);
        env.Task = 1;
        env.CurrentTask.Layout.Name.Should().Be("corridor-east");
        env.Reset(0);
        env.CurrentTask.Layout.Name.Should().Be("maze-01");
        env.Name.Should().Be("maze-quadruped/maze-01");
        var act = () => env.Task = 2;
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Dispose_FreesEveryInstancesSimulationState()
    {
        var env = EnvFixtures.PointMass.CreateVectorEnv(2);
        var data = env.DataOf(1);
        env.Dispose();
        var act = () => data.Qpos.Length;
        act.Should().Throw<ObjectDisposedException>();
        var step = () => env.Step();
        step.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void PointMass_ReachesTheGoalOfEveryTrainingMaze_FollowingThePathWithAProportionalController()
    {
        using var family = MazeTaskFamily.Create("pointmass", MazeTaskFamily.ShippedLayouts("train"));
        using var env = family.CreateVectorEnv(1);
        for (var task = 0; task < family.TaskCount; task++)
        {
            env.Task = task;
            env.Reset((ulong)task);
            var layout = env.CurrentTask.Layout;
            var end = EpisodeEnd.None;
            for (var t = 0; t < env.MaxEpisodeSteps && end == EpisodeEnd.None; t++)
            {
                var (tx, ty) = layout.NextWaypoint(env.Positions[0], env.Positions[1]);
                env.Actions[0] = (float)Math.Clamp(2 * (tx - env.Positions[0]), -1, 1);
                env.Actions[1] = (float)Math.Clamp(2 * (ty - env.Positions[1]), -1, 1);
                env.Step();
                end = env.EpisodeEnds[0];
            }
            end.Should().Be(EpisodeEnd.Success, $"layout {layout.Name}");
        }
    }
}

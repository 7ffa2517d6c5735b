using Mlsh.Environments;
using Mlsh.Environments.Discrete;

namespace Mlsh.Environments.Tests.Discrete;

public sealed class MovementBanditsTests
{
    [Fact]
    public void Reset_SameSeed_GivesBitIdenticalTrajectories()
    {
        static float[] Run(ulong seed)
        {
            using var env = new MovementBanditsEnv(4);
            env.Reset(seed);
            var trace = new List<float>();
            for (var t = 0; t < 120; t++)
            {
                for (var i = 0; i < env.Count; i++) env.ActionIndices[i] = (t * 7 + i * 3) % 5;
                env.Step();
                trace.AddRange(env.Observations.ToArray());
                trace.AddRange(env.Rewards.ToArray());
            }
            return trace.ToArray();
        }
        Run(42).Should().Equal(Run(42));
        Run(42).Should().NotEqual(Run(43));
    }

    [Fact]
    public void Observation_HoldsAgentAndBothGoals_ButNotWhichGoalPays()
    {
        using var env = new MovementBanditsEnv(2);
        env.Task = 0;
        env.Reset(5);
        var obsTask0 = env.Observations.ToArray();
        env.Task = 1;
        env.Reset(5);
        env.Observations.ToArray().Should().Equal(obsTask0, "the task must be hidden from the observation");
        obsTask0[0].Should().Be(0f);
        obsTask0[1].Should().Be(0f);
        env.GoalsOf(1).ToArray().Should().Equal(obsTask0[8..12]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Reward_IsPaidOnlyNearTheGoalTheTaskNames(int task)
    {
        using var env = new MovementBanditsEnv(1);
        env.Task = task;
        // Find a seed whose goals are well separated so "near one" means "far from the other".
        ulong seed = 0;
        for (; ; seed++)
        {
            env.Reset(seed);
            var g = env.GoalsOf(0);
            var dx = g[0] - g[2]; var dy = g[1] - g[3];
            if (dx * dx + dy * dy > 1f) break;
        }
        var goals = env.GoalsOf(0).ToArray();
        float total = 0;
        for (var t = 0; t < 50; t++)
        {
            env.ActionIndices[0] = Greedy(env.Positions, goals[task * 2], goals[task * 2 + 1]);
            env.Step();
            total += env.Rewards[0];
            if (t == 49)
            {
                env.Truncated[0].Should().BeTrue();
                env.Succeeded[0].Should().BeTrue();
            }
        }
        total.Should().BeGreaterThan(25f, "a greedy walk reaches the rewarded goal within ~20 steps and stays");

        env.Reset(seed);
        float wrong = 0;
        for (var t = 0; t < 50; t++)
        {
            env.ActionIndices[0] = Greedy(env.Positions, goals[(1 - task) * 2], goals[(1 - task) * 2 + 1]);
            env.Step();
            wrong += env.Rewards[0];
        }
        wrong.Should().Be(0f, "the other goal pays nothing");
    }

    [Fact]
    public void EveryTaskAtRandom_DrawsEachInstancesTaskPerEpisode_AndPaysOnlyThatTasksGoal()
    {
        using var env = new MovementBanditsEnv(64);
        env.Task = IVectorEnv.EveryTaskAtRandom;
        env.Reset(7);
        var tasks = Enumerable.Range(0, env.Count).Select(env.TaskOf).ToArray();
        tasks.Should().Contain(0).And.Contain(1);
        tasks.Count(t => t == 0).Should().BeInRange(16, 48, "a fair coin over 64 instances");

        // Walk every instance greedily to its own task's goal: all of them are paid, whichever goal it is.
        var paid = new float[env.Count];
        for (var t = 0; t < 49; t++)
        {
            for (var i = 0; i < env.Count; i++)
            {
                var g = env.GoalsOf(i);
                var k = env.TaskOf(i);
                env.ActionIndices[i] = Greedy(env.Positions[(i * 2)..], g[k * 2], g[k * 2 + 1]);
            }
            env.Step();
            for (var i = 0; i < env.Count; i++) paid[i] += env.Rewards[i];
        }
        paid.Should().OnlyContain(r => r > 0f);

        // The next episode draws again: some instances change task.
        for (var i = 0; i < env.Count; i++) env.ActionIndices[i] = 0;
        env.Step();
        Enumerable.Range(0, env.Count).Count(i => env.TaskOf(i) != tasks[i]).Should().BePositive();
    }

    [Fact]
    public void FixedTask_TrajectoriesDoNotDependOnTheMixingFeature()
    {
        using var a = new MovementBanditsEnv(4);
        a.Task = 1;
        a.Reset(11);
        Enumerable.Range(0, 4).Select(a.TaskOf).Should().OnlyContain(t => t == 1);
        var goalsBefore = Enumerable.Range(0, 4).SelectMany(i => a.GoalsOf(i).ToArray()).ToArray();
        using var b = new MovementBanditsEnv(4);
        b.Task = IVectorEnv.EveryTaskAtRandom;
        b.Reset(11);
        Enumerable.Range(0, 4).SelectMany(i => b.GoalsOf(i).ToArray()).Should().Equal(goalsBefore, "the task is drawn after the goals");
    }

    [Fact]
    public void Task_OutsideTheFamily_IsRejected()
    {
        using var env = new MovementBanditsEnv(1);
        var act = () => env.Task = 2;
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*tasks 0 and 1*");
    }

    [Fact]
    public void Step_AtTimeLimit_TruncatesKeepsFinalObservationAndStartsNewEpisode()
    {
        using var env = new MovementBanditsEnv(1, new MovementBanditsOptions(EpisodeSteps: 3));
        env.Reset(1);
        var firstGoals = env.GoalsOf(0).ToArray();
        env.ActionIndices[0] = 1;
        env.Step(); env.Step();
        env.Truncated[0].Should().BeFalse();
        env.Step();
        env.Truncated[0].Should().BeTrue();
        env.Terminated[0].Should().BeFalse();
        env.FinalObservations[0].Should().BeApproximately(0.3f, 1e-6f);
        env.Observations[0].Should().Be(0f);
        env.GoalsOf(0).ToArray().Should().NotEqual(firstGoals);
    }

    [Fact]
    public void Step_RejectsAnActionOutsideTheFiveMoves()
    {
        using var env = new MovementBanditsEnv(1);
        env.Reset(0);
        env.ActionIndices[0] = 5;
        var act = () => env.Step();
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*action must be in [0, 4]*");
    }

    [Fact]
    public void Step_AllocatesNothing()
    {
        using var env = new MovementBanditsEnv(8);
        env.Reset(3);
        for (var t = 0; t < 200; t++) { env.ActionIndices.Fill(t % 5); env.Step(); }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var t = 0; t < 10_000; t++) { env.ActionIndices.Fill(t % 5); env.Step(); }
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    private static int Greedy(ReadOnlySpan<float> pos, float gx, float gy)
    {
        var dx = gx - pos[0]; var dy = gy - pos[1];
        if (MathF.Abs(dx) < 0.05f && MathF.Abs(dy) < 0.05f) return 0;
        return MathF.Abs(dx) >= MathF.Abs(dy) ? (dx > 0 ? 1 : 2) : (dy > 0 ? 3 : 4);
    }
}

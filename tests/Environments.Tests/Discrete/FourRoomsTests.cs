using Mlsh.Environments.Discrete;

namespace Mlsh.Environments.Tests.Discrete;

public sealed class FourRoomsTests
{
    [Fact]
    public void Map_HasTheClassic104FreeCells_AndEveryTaskStartsAndEndsOnAFreeCell()
    {
        FourRoomsEnv.FreeCellCount.Should().Be(104);
        foreach (var (s, g) in FourRoomsTaskFamily.Tasks)
        {
            FourRoomsTaskFamily.Map[s.Row][s.Col].Should().Be('.');
            FourRoomsTaskFamily.Map[g.Row][g.Col].Should().Be('.');
            s.Should().NotBe(g);
        }
    }

    [Fact]
    public void Reset_PlacesTheAgentOnTheTasksFixedStart_EveryEpisode()
    {
        var family = new FourRoomsTaskFamily(new FourRoomsOptions(EpisodeSteps: 5));
        using var env = (FourRoomsEnv)family.CreateVectorEnv(3);
        for (var task = 0; task < family.TaskCount; task++)
        {
            env.Task = task;
            env.Reset((ulong)task * 31);
            for (var i = 0; i < env.Count; i++) env.CellOf(i).Should().Be(FourRoomsTaskFamily.Tasks[task].Start);
            env.ActionIndices.Fill(1);
            for (var t = 0; t < 5; t++) env.Step();
            // Either truncated or reached; in both cases the next episode starts at the same cell.
            for (var i = 0; i < env.Count; i++) env.CellOf(i).Should().Be(FourRoomsTaskFamily.Tasks[task].Start);
        }
    }

    [Fact]
    public void Step_WalkingIntoAWall_StaysInPlace()
    {
        using var env = new FourRoomsEnv(1);
        env.Task = 0; // start (1, 1): walls above and to the left
        env.Reset(0);
        env.ActionIndices[0] = 0;
        env.Step();
        env.CellOf(0).Should().Be((1, 1));
        env.ActionIndices[0] = 2;
        env.Step();
        env.CellOf(0).Should().Be((1, 1));
        env.ActionIndices[0] = 3;
        env.Step();
        env.CellOf(0).Should().Be((1, 2));
        env.Positions[0].Should().Be(2f);
        env.Positions[1].Should().Be(11f);
        env.Observations.ToArray().Count(v => v == 1f).Should().Be(1);
    }

    [Fact]
    public void Step_ReachingTheGoal_PaysOneTerminatesAndSucceeds()
    {
        using var env = new FourRoomsEnv(1);
        env.Task = 6; // (5,5) -> (8,7)
        env.Reset(0);
        // Up to (3,5), through the doorway (3,6) to (3,9), down through the doorway (7,9) to (8,9), left to (8,7).
        int[] path = [0, 0, 3, 3, 3, 3, 1, 1, 1, 1, 1, 2, 2];
        for (var t = 0; t < path.Length; t++)
        {
            env.ActionIndices[0] = path[t];
            env.Step();
            if (t < path.Length - 1) env.Rewards[0].Should().Be(0f, $"step {t} is not at the goal");
        }
        env.Rewards[0].Should().Be(1f);
        env.Terminated[0].Should().BeTrue();
        env.Truncated[0].Should().BeFalse();
        env.Succeeded[0].Should().BeTrue();
        env.CellOf(0).Should().Be((5, 5), "a new episode starts at the fixed start");
    }

    [Fact]
    public void Step_SameActions_GiveBitIdenticalTrajectories_AndAllocateNothing()
    {
        static (float[] trace, long bytes) Run()
        {
            using var env = new FourRoomsEnv(4);
            env.Task = 3;
            env.Reset(9);
            for (var t = 0; t < 100; t++) { env.ActionIndices.Fill(t % 4); env.Step(); }
            var trace = new List<float>();
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var t = 0; t < 5000; t++)
            {
                for (var i = 0; i < env.Count; i++) env.ActionIndices[i] = (t * 5 + i) % 4;
                env.Step();
            }
            var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            trace.AddRange(env.Observations.ToArray());
            trace.AddRange(env.Positions.ToArray());
            return (trace.ToArray(), bytes);
        }
        var a = Run();
        var b = Run();
        a.trace.Should().Equal(b.trace);
        a.bytes.Should().Be(0);
    }
}

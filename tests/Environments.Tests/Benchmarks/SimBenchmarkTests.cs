using Mlsh.Environments.Benchmarks;

namespace Mlsh.Environments.Tests.Benchmarks;

public class SimBenchmarkTests
{
    [Fact]
    public void Run_CReferenceLoopSimulatesTheSameTrajectoryAsTheCSharpEnvironment()
    {
        // Correctness of the comparison, not speed: same number of mj_step calls and a bit-identical final
        // state prove the C loop does the same work (gait, action mapping, PD law) as the environment.
        var r = SimBenchmark.Run(policySteps: 150, rounds: 1);
        r.C.PhysicsSteps.Should().Be(1500);
        r.CSharp.PhysicsSteps.Should().Be(1500);
        r.TrajectoriesMatch.Should().BeTrue();
        r.CSharp.FinalQpos[0].Should().BeGreaterThan(0.3, "the trot moved the robot forward");
        r.C.Divergences.Should().Be(0);
    }
}

using Mlsh.Hil.Relay;

namespace Mlsh.Hil.Tests.Relay;

public class ScenarioClockTests
{
    [Fact]
    public void Observe_StartsAtZero_FromTheFirstStamp()
    {
        var c = new ScenarioClock();
        c.Started.Should().BeFalse();
        c.Observe(100.0).Should().Be(0);
        c.Observe(101.5).Should().Be(1.5);
        c.NowS.Should().Be(1.5);
        c.Started.Should().BeTrue();
    }

    [Fact]
    public void Observe_ContinuesFromTheCurrentTime_WhenTheRobotClockRestarts()
    {
        var c = new ScenarioClock();
        c.Observe(0);
        c.Observe(2.0);
        c.Observe(0.002).Should().BeApproximately(2.0, 1e-12, "a restarted simulator's clock begins a new epoch");
        c.Observe(1.002).Should().BeApproximately(3.0, 1e-12);
        c.ToScenarioTime(0.502).Should().BeApproximately(2.5, 1e-12);
    }

    [Fact]
    public void Observe_NeverGoesBackwards_ForSmallReorderingsBetweenTopics()
    {
        var c = new ScenarioClock();
        c.Observe(1.0);
        c.Observe(1.10);
        c.Observe(1.08).Should().BeApproximately(0.08, 1e-12);
        c.NowS.Should().BeApproximately(0.10, 1e-12);
    }
    [Fact]
    public void TryToScenarioTime_MapsEachEpochWithItsOwnOffset_AndWaitsForAnEpochNotSeenYet()
    {
        var c = new ScenarioClock();
        c.Observe(0);
        c.Observe(1.2);
        c.TryToScenarioTime(0.0, epoch: 1, out _).Should().BeFalse("the restarted clock has not been seen yet");
        c.Observe(0.0).Should().BeApproximately(1.2, 1e-12);
        c.Epoch.Should().Be(1);
        c.TryToScenarioTime(0.1, epoch: 1, out var t1).Should().BeTrue();
        t1.Should().BeApproximately(1.3, 1e-12);
        c.TryToScenarioTime(1.05, epoch: 0, out var t0).Should().BeTrue("a time the runtime recorded before the restart");
        t0.Should().BeApproximately(1.05, 1e-12);
    }
}

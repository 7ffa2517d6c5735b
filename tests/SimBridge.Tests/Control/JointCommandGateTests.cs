using Mlsh.SimBridge.Control;

namespace Mlsh.SimBridge.Tests.Control;

public sealed class JointCommandGateTests
{
    private const long Ms = 1_000_000;

    private static JointCommandGate Gate(long timeoutNs = 100 * Ms) =>
        new([20, 10], [-0.7, 0.2], [0.7, 1.6], timeoutNs);

    [Fact]
    public void Gate_HoldsSafe_BeforeAnyCommand()
    {
        Gate().Mode.Should().Be(JointCommandMode.SafeHold);
    }

    [Fact]
    public void EffortCommand_IsClampedToTheTorqueLimits()
    {
        var g = Gate();
        g.TryAccept(JointCommandMode.Effort, [50, -3], 0).Should().BeTrue();
        g.Mode.Should().Be(JointCommandMode.Effort);
        g.Values.ToArray().Should().Equal(20, -3);
    }

    [Fact]
    public void PositionCommand_IsClampedToTheJointRange()
    {
        var g = Gate();
        g.TryAccept(JointCommandMode.Position, [-2, 0.5], 0).Should().BeTrue();
        g.Values.ToArray().Should().Equal(-0.7, 0.5);
    }

    [Fact]
    public void WrongSizeCommand_IsDroppedAndCounted_AndTheCommandInForceStays()
    {
        var g = Gate();
        g.TryAccept(JointCommandMode.Effort, [1, 2], 0);
        g.TryAccept(JointCommandMode.Effort, [1, 2, 3], Ms).Should().BeFalse();
        g.DroppedWrongSize.Should().Be(1);
        g.LastWrongSize.Should().Be(3);
        g.Values.ToArray().Should().Equal(1, 2);
        g.Accepted.Should().Be(1);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void NonFiniteCommand_IsDroppedWhole_AndCounted(double bad)
    {
        var g = Gate();
        g.TryAccept(JointCommandMode.Position, [0.1, bad], 0).Should().BeFalse();
        g.DroppedNonFinite.Should().Be(1);
        g.Mode.Should().Be(JointCommandMode.SafeHold);
        g.Values.ToArray().Should().Equal(0, 0);
    }

    [Fact]
    public void Timeout_FallsBackToSafeHold_OnceAndCounted()
    {
        var g = Gate(timeoutNs: 100 * Ms);
        g.TryAccept(JointCommandMode.Effort, [1, 1], 0);
        g.CheckTimeout(99 * Ms);
        g.Mode.Should().Be(JointCommandMode.Effort);
        g.CheckTimeout(100 * Ms);
        g.Mode.Should().Be(JointCommandMode.SafeHold);
        g.CheckTimeout(500 * Ms);
        g.Timeouts.Should().Be(1, "one silence is one timeout");
        g.TryAccept(JointCommandMode.Effort, [1, 1], 600 * Ms);
        g.Mode.Should().Be(JointCommandMode.Effort);
        g.CheckTimeout(800 * Ms);
        g.Timeouts.Should().Be(2);
    }

    [Fact]
    public void Clear_HoldsSafe_WithoutCountingATimeout()
    {
        var g = Gate();
        g.TryAccept(JointCommandMode.Effort, [1, 1], 0);
        g.Clear();
        g.Mode.Should().Be(JointCommandMode.SafeHold);
        g.CheckTimeout(long.MaxValue / 2);
        g.Timeouts.Should().Be(0);
    }

    [Fact]
    public void Constructor_RejectsLimitsOfDifferentLengths()
    {
        FluentActions.Invoking(() => new JointCommandGate([1, 2], [0], [1, 1], Ms))
            .Should().Throw<ArgumentException>().WithMessage("*one entry per joint*");
    }
}

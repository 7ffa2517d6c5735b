using Mlsh.Runtime.Timing;

namespace Mlsh.Runtime.Tests.Timing;

public sealed class CDeadlineLoopReferenceTests
{
    [Fact]
    public void Run_CompilesAndRunsTheCLoop_AccountingForEveryDeadline()
    {
        var result = CDeadlineLoopReference.Run(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(300), TimeSpan.FromMicroseconds(50));

        result.Cycles.Should().BePositive().And.BeLessThanOrEqualTo(300);
        // 300 deadlines fall inside the run; each was run or skipped (a skip at the very end may count past it).
        (result.Cycles + result.DeadlineMisses).Should().BeGreaterThanOrEqualTo(300);
        result.Lateness.Count.Should().Be(result.Cycles, "one lateness sample per cycle run");
        result.Lateness.P50.Should().BeLessThanOrEqualTo(result.Lateness.P99);
        result.Lateness.P99.Should().BeLessThanOrEqualTo(result.Lateness.Max);
        result.Scheduler.Requested.Should().BeFalse();
    }

    [Fact]
    public void CompiledProgram_IsCachedBySourceHash()
    {
        var first = CDeadlineLoopReference.CompiledProgram();
        var second = CDeadlineLoopReference.CompiledProgram();

        second.Should().Be(first);
        File.Exists(first).Should().BeTrue();
        File.Exists(Path.Combine(Path.GetDirectoryName(first)!, "deadline_loop.c")).Should().BeTrue();
    }

    [Theory]
    [InlineData(0, 100, 0, "period")]
    [InlineData(1000, 0, 0, "duration")]
    [InlineData(1000, 100_000, 1000, "spinWindow")]
    public void Run_WithInvalidTiming_ThrowsNamingTheArgument(int periodUs, int durationUs, int spinUs, string param)
    {
        var act = () => CDeadlineLoopReference.Run(TimeSpan.FromMicroseconds(periodUs), TimeSpan.FromMicroseconds(durationUs), TimeSpan.FromMicroseconds(spinUs));

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(param);
    }
}

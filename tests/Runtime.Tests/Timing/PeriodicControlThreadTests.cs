using Mlsh.Runtime.Timing;
using Mlsh.Core.Interop;

namespace Mlsh.Runtime.Tests.Timing;

public sealed class PeriodicControlThreadTests
{
    /// <summary>Records every tick into preallocated arrays; optionally stalls one cycle or measures allocation.</summary>
    private sealed class RecordingCycle(int capacity) : IControlCycle
    {
        public readonly long[] Deadlines = new long[capacity];
        public readonly long[] Wakes = new long[capacity];
        public readonly long[] Ends = new long[capacity];
        public readonly long[] MissedBefore = new long[capacity];
        public long StallIndex = -1;
        public long StallNs;
        public long AllocationFromIndex = -1;
        public long AllocationToIndex = -1;
        public long AllocatedBefore = -1;
        public long AllocatedAfter = -1;
        public int Policy = -1;
        public int TimerSlack = -1;
        public volatile int Recorded;

        public void Run(in ControlTick tick)
        {
            if (tick.Index == AllocationFromIndex) AllocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            if (tick.Index == AllocationToIndex) AllocatedAfter = GC.GetAllocatedBytesForCurrentThread();
            if (tick.Index == 0)
            {
                Policy = LibcNative.sched_getscheduler(0);
                TimerSlack = LibcNative.prctl(LibcNative.PR_GET_TIMERSLACK, 0, 0, 0, 0);
            }
            if (tick.Index == StallIndex)
            {
                var until = MonotonicClock.NowNanoseconds() + StallNs;
                while (MonotonicClock.NowNanoseconds() < until) { }
            }
            if (tick.Index < Deadlines.Length)
            {
                Deadlines[tick.Index] = tick.DeadlineNs;
                Wakes[tick.Index] = tick.WakeNs;
                MissedBefore[tick.Index] = tick.MissedDeadlines;
                Ends[tick.Index] = MonotonicClock.NowNanoseconds();
                Recorded = (int)tick.Index + 1;
            }
        }
    }

    private static void WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"condition not met within {timeout}");
            Thread.Sleep(5);
        }
    }

    [Fact]
    public void Loop_AllocatesNothingPerCycle_Over10000CyclesAt200Microseconds()
    {
        var cycle = new RecordingCycle(1) { AllocationFromIndex = 100, AllocationToIndex = 10_100 };
        using var loop = new PeriodicControlThread<RecordingCycle>(cycle,
            new ControlThreadOptions { Period = TimeSpan.FromMicroseconds(200), SpinWindow = TimeSpan.FromMicroseconds(50) });

        loop.Start();
        WaitFor(() => loop.CyclesRun > 10_100 || !loop.IsRunning, TimeSpan.FromSeconds(60));
        loop.Stop();

        loop.Fault.Should().BeNull();
        cycle.AllocatedBefore.Should().BeGreaterThanOrEqualTo(0);
        (cycle.AllocatedAfter - cycle.AllocatedBefore).Should().Be(0, "the loop thread (clock, sleep, histograms, tick) must not allocate");
    }

    [Fact]
    public void Deadlines_StayOnTheAbsoluteGrid_AndCyclesPlusMissesMatchElapsedTime()
    {
        const int capacity = 4096;
        var period = TimeSpan.FromMilliseconds(1);
        const long periodNs = 1_000_000;
        var cycle = new RecordingCycle(capacity);
        using var loop = new PeriodicControlThread<RecordingCycle>(cycle, new ControlThreadOptions { Period = period });

        loop.Start();
        WaitFor(() => cycle.Recorded >= 2, TimeSpan.FromSeconds(10));
        var firstDeadline = cycle.Deadlines[0];
        Thread.Sleep(600);
        loop.Stop();

        var n = cycle.Recorded;
        n.Should().Be((int)loop.CyclesRun);
        // Deadlines skipped between the first and the last recorded cycle (a skip after the last one is not in the window).
        var missed = cycle.MissedBefore[n - 1] - cycle.MissedBefore[0];
        loop.DeadlineMisses.Should().BeGreaterThanOrEqualTo(missed);
        for (var i = 1; i < n; i++)
        {
            var step = cycle.Deadlines[i] - cycle.Deadlines[i - 1];
            step.Should().BePositive();
            (step % periodNs).Should().Be(0, "every deadline is start + k * period (absolute, not relative to the last wake-up)");
            cycle.Wakes[i].Should().BeGreaterThanOrEqualTo(cycle.Deadlines[i], "a cycle never starts before its deadline");
        }
        // Every deadline from the first to the last was either run or counted as missed: nothing lost, nothing doubled.
        var deadlinesCovered = (cycle.Deadlines[n - 1] - firstDeadline) / periodNs + 1;
        deadlinesCovered.Should().Be(n + missed);
        // And the grid keeps pace with the clock (no drift): at the least-late of the last 50 wake-ups, the number
        // of deadlines run or skipped equals the periods elapsed on the clock since the first deadline.
        var best = Enumerable.Range(n - 50, 50).MinBy(i => cycle.Wakes[i] - cycle.Deadlines[i]);
        (cycle.Wakes[best] - cycle.Deadlines[best]).Should().BeLessThan(periodNs);
        var elapsedPeriods = (cycle.Wakes[best] - firstDeadline) / periodNs;
        (best + cycle.MissedBefore[best] - cycle.MissedBefore[0]).Should().Be(elapsedPeriods);
        for (var i = 1; i < n; i++)
            cycle.Deadlines[i].Should().BeGreaterThanOrEqualTo(cycle.Ends[i - 1], "a deadline already past when the previous cycle ended is skipped, never run");
    }

    [Fact]
    public void SlowCycle_IsCountedAsMisses_AndTheLoopResynchronizesWithoutACatchUpBurst()
    {
        const long periodNs = 2_000_000;
        var cycle = new RecordingCycle(64) { StallIndex = 10, StallNs = 10_500_000 };
        using var loop = new PeriodicControlThread<RecordingCycle>(cycle,
            new ControlThreadOptions { Period = TimeSpan.FromTicks(periodNs / 100) });

        loop.Start();
        WaitFor(() => cycle.Recorded >= 20, TimeSpan.FromSeconds(20));
        loop.Stop();

        var slowEnd = cycle.Ends[10];
        var resumed = cycle.Deadlines[11];
        resumed.Should().BeGreaterThan(slowEnd, "after an overrun the loop waits for a future deadline instead of running the stale ones");
        (resumed - slowEnd).Should().BeLessThanOrEqualTo(periodNs, "it resumes on the first future deadline, not later");
        var skipped = (resumed - cycle.Deadlines[10]) / periodNs - 1;
        skipped.Should().BeGreaterThanOrEqualTo(5, "a 10.5 ms stall in a 2 ms loop passes at least 5 deadlines");
        loop.DeadlineMisses.Should().BeGreaterThanOrEqualTo(skipped);
        for (var i = 12; i < 20; i++)
            (cycle.Deadlines[i] - cycle.Deadlines[i - 1]).Should().BeGreaterThanOrEqualTo(periodNs, "no two cycles share a period (no burst)");
    }

    [Fact]
    public void Stop_JoinsTheThread_AndNoCycleRunsAfterwards()
    {
        var cycle = new RecordingCycle(1);
        var loop = new PeriodicControlThread<RecordingCycle>(cycle, new ControlThreadOptions { Period = TimeSpan.FromMilliseconds(1) });
        loop.Start();
        WaitFor(() => loop.CyclesRun > 5, TimeSpan.FromSeconds(10));

        loop.Stop();
        var cyclesAtStop = loop.CyclesRun;
        Thread.Sleep(20);

        loop.IsRunning.Should().BeFalse();
        loop.CyclesRun.Should().Be(cyclesAtStop);
        loop.Dispose();
        loop.Invoking(l => l.Stop()).Should().NotThrow("Stop is idempotent");
    }

    [Fact]
    public void Start_Twice_Throws()
    {
        using var loop = new PeriodicControlThread<RecordingCycle>(new RecordingCycle(1), new ControlThreadOptions { Period = TimeSpan.FromMilliseconds(5) });
        loop.Start();

        loop.Invoking(l => l.Start()).Should().Throw<InvalidOperationException>().WithMessage("*already started*");
    }

    [Fact]
    public void RealtimeReport_MatchesThePolicyAndTimerSlackTheControlThreadActuallyHas()
    {
        var cycle = new RecordingCycle(1);
        using var loop = new PeriodicControlThread<RecordingCycle>(cycle,
            new ControlThreadOptions { Period = TimeSpan.FromMilliseconds(5), RealtimePriority = 5, CpuAffinity = 0 });

        var report = loop.Start();
        WaitFor(() => cycle.Recorded >= 1, TimeSpan.FromSeconds(10));
        loop.Stop();

        report.Scheduler.Requested.Should().BeTrue();
        report.Scheduler.Applied.Should().Be(cycle.Policy == LibcNative.SCHED_FIFO, report.Scheduler.Detail);
        if (!report.Scheduler.Applied) report.Scheduler.Detail.Should().Contain("errno");
        // Linux gives SCHED_FIFO threads zero slack whatever was set, so 0 or 1 ns both mean "applied".
        report.TimerSlack.Applied.Should().Be(cycle.TimerSlack is 0 or 1, report.TimerSlack.Detail);
        report.Affinity.Requested.Should().BeTrue();
        loop.Realtime.Should().BeSameAs(report);
    }

    [Fact]
    public void RealtimeReport_WithoutPriority_StaysSchedOtherAndSaysSo()
    {
        var cycle = new RecordingCycle(1);
        using var loop = new PeriodicControlThread<RecordingCycle>(cycle, new ControlThreadOptions { Period = TimeSpan.FromMilliseconds(5) });

        var report = loop.Start();
        WaitFor(() => cycle.Recorded >= 1, TimeSpan.FromSeconds(10));
        loop.Stop();

        report.Scheduler.Should().Be(new RealtimeSetting(false, false, "SCHED_OTHER (no real-time priority requested)"));
        cycle.Policy.Should().Be(LibcNative.SCHED_OTHER);
    }

    private sealed class ThrowingCycle : IControlCycle
    {
        public void Run(in ControlTick tick)
        {
            if (tick.Index == 3) throw new InvalidOperationException("sensor frame missing");
        }
    }

    [Fact]
    public void CycleException_EndsTheLoop_AndIsKeptAsFault()
    {
        using var loop = new PeriodicControlThread<ThrowingCycle>(new ThrowingCycle(), new ControlThreadOptions { Period = TimeSpan.FromMilliseconds(1) });

        loop.Start();
        WaitFor(() => !loop.IsRunning, TimeSpan.FromSeconds(10));

        loop.Fault.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("sensor frame missing");
        loop.CyclesRun.Should().Be(3);
    }

    [Fact]
    public void RequestStatsReset_ClearsHistogramsOnTheControlThread()
    {
        var cycle = new RecordingCycle(1);
        using var loop = new PeriodicControlThread<RecordingCycle>(cycle, new ControlThreadOptions { Period = TimeSpan.FromMilliseconds(1) });
        var snapshot = new LatencyHistogramSnapshot();
        loop.Start();
        WaitFor(() => loop.CyclesRun >= 50, TimeSpan.FromSeconds(10));

        loop.Stop();
        loop.ComputeTime.CopyTo(snapshot);
        snapshot.Count.Should().Be(loop.CyclesRun);
        loop.WakeLateness.CopyTo(snapshot);
        snapshot.Count.Should().Be(loop.CyclesRun);

        var cycle2 = new RecordingCycle(1);
        using var loop2 = new PeriodicControlThread<RecordingCycle>(cycle2, new ControlThreadOptions { Period = TimeSpan.FromMilliseconds(1) });
        loop2.Start();
        WaitFor(() => loop2.CyclesRun >= 20, TimeSpan.FromSeconds(10));
        loop2.RequestStatsReset();
        var requestedAt = loop2.CyclesRun;
        WaitFor(() => loop2.CyclesRun >= requestedAt + 5, TimeSpan.FromSeconds(10));
        loop2.Stop();
        loop2.ComputeTime.CopyTo(snapshot);
        snapshot.Count.Should().BeLessThan(loop2.CyclesRun).And.BePositive();
    }

    [Theory]
    [InlineData(0, 0, null, null, "Period")]
    [InlineData(1000, 1000, null, null, "SpinWindow")]
    [InlineData(1000, 50, 0, null, "RealtimePriority")]
    [InlineData(1000, 50, 100, null, "RealtimePriority")]
    [InlineData(1000, 50, null, 64, "CpuAffinity")]
    public void Options_OutOfRange_AreRejectedNamingTheField(int periodUs, int spinUs, int? priority, int? cpu, string field)
    {
        var options = new ControlThreadOptions
        {
            Period = TimeSpan.FromMicroseconds(periodUs), SpinWindow = TimeSpan.FromMicroseconds(spinUs), RealtimePriority = priority, CpuAffinity = cpu,
        };

        var act = () => new PeriodicControlThread<RecordingCycle>(new RecordingCycle(1), options);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(field);
    }
}

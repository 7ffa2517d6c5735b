using System.Text;
using Mlsh.Onnx.Manifest;
using Mlsh.Ros2;
using Mlsh.Runtime.Control;
using Mlsh.Runtime.Tests.TestSupport;
using Mlsh.Runtime.Timing;
using Xunit.Abstractions;

namespace Mlsh.Runtime.Tests.Node;

/// <summary>
/// Hot-swap of the master while the node's real control loop runs: the node's DDS hardware, controller and master
/// loader, fed over Cyclone DDS (loopback, private domain) by a robot stand-in, on a <see cref="PeriodicControlThread{TCycle}"/>
/// at the parameters' 500 Hz, with the policy on its inference thread as the node runs it on the wall clock. The loop's cycle records the loop's and the controller's own counters after every
/// update, so the test can look at the exact cycle the swap happened in. Not run in parallel with other test
/// classes: their allocations would trigger garbage collections that pause this loop too.
/// </summary>
[Collection(nameof(RealtimeLoopCollection))]
public sealed class RuntimeNodeHotSwapTests(ITestOutputHelper output) : IDisposable
{
    private readonly QuadrupedBundle _models = new(seed: 13);
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-runtime-hotswap-").FullName;
    private readonly PrivateDomain _ros = new();

    public void Dispose()
    {
        _models.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void LoadMaster_WhileTheLoopRuns_SwapsInAtTheScheduledMasterTick_WithNoMissedCycleAndNoSafeModeEntry()
    {
        // Watchdogs at 1 s: this test is about the swap, and a stand-in thread on a loaded machine may pause for
        // tens of milliseconds (the watchdogs have their own tests).
        var p = TestParameters.Load(_dir, v =>
        {
            v["joint_states_timeout_cycles"] = "500";
            v["imu_timeout_cycles"] = "500";
            v["odom_timeout_cycles"] = "500";
        }, _models.Dir);
        using var runtime = new RuntimeNode(p, _ros.Options(), "mlsh_runtime", TextWriter.Null);
        using var robot = new RobotStandIn(_ros.Options(), p);
        var controller = runtime.Controller;
        var original = controller.Master;
        // Two swaps in a row: the second one also retires the first replacement.
        var masters = new[] { 31, 32 }.Select(seed => _models.ExportAnotherMaster(Path.Combine(_dir, $"retuned-{seed}"), seed)).ToArray();

        var cycle = new RecordingCycle(controller, capacity: 60_000);
        var runSummary = "";
        runtime.Hardware.StartReaderThread();
        // SCHED_FIFO when the OS grants it (root, CAP_SYS_NICE), as a robot would run the node: then only the kernel,
        // a GC or another real-time thread can delay the loop, so a miss in the swap cycle points at the swap.
        using (var loop = new PeriodicControlThread<RecordingCycle>(cycle, new ControlThreadOptions { Period = p.Period, RealtimePriority = 40 }))
        {
            // As RuntimeNode.Run does on the wall clock: the master (swapped or not) and the sub-policy run on their own thread.
            controller.StartInferenceThread(p.Period, 39);
            var realtime = loop.Start();
            Wait.For(() => controller.Status.Read().Mode == ControllerMode.Policy, TimeSpan.FromSeconds(20), "policy mode with live sensor topics");
            // A few master ticks under the original master first.
            Wait.For(() => controller.Status.Read().MasterTicks >= 3, TimeSpan.FromSeconds(10), "three master ticks");

            for (var k = 0; k < masters.Length; k++)
            {
                // Exactly what an operator sends on /mlsh/command or MQTT.
                var sha = ModelHash.Sha256Hex(File.ReadAllBytes(masters[k]));
                var (ok, message) = runtime.Handle(Encoding.UTF8.GetBytes($"{{\"command\":\"load_master\",\"path\":\"{masters[k]}\",\"sha256\":\"{sha}\"}}"), "test");
                ok.Should().BeTrue(message);
                var swaps = k + 1;
                Wait.For(() => controller.Status.Read().MasterSwaps == swaps, TimeSpan.FromSeconds(30), $"master swap {swaps}");
                runtime.LastMasterReport!.Value.Ok.Should().BeTrue(runtime.LastMasterReport.Value.Message);
                controller.Master.Source.Should().Be(Path.GetFullPath(masters[k]));
                controller.Master.Sha256.Should().BeEquivalentTo(sha);
                // Run on for a few more master periods after the swap.
                var swapped = controller.Status.Read().Cycle;
                Wait.For(() => controller.Status.Read().Cycle >= swapped + 3 * QuadrupedBundle.MasterPeriod, TimeSpan.FromSeconds(10), "cycles after the swap");
            }
            loop.Stop();
            controller.StopInferenceThread();
            loop.Fault.Should().BeNull();
            cycle.Count.Should().Be(loop.CyclesRun, "the recorder kept every cycle of the run");
            runSummary = $"{loop.CyclesRun} cycles, {loop.DeadlineMisses} deadline misses in the whole run, {realtime.Scheduler.Detail}";
        }
        output.WriteLine(runSummary);
        controller.Master.Should().NotBeSameAs(original);

        var r = cycle.Records[..(int)cycle.Count];
        // Every tick of the loop ran exactly one controller cycle: the controller's counter has no gap.
        for (var i = 0; i < r.Length; i++) r[i].Cycle.Should().Be(i + 1, "loop tick {0} ran controller cycle {1}", i, i + 1);
        // A master tick is the cycle that hands its step to the inference thread (the choice applies when picked up).
        bool IsMasterTick(int i) => r[i].MasterTickRequests != r[i - 1].MasterTickRequests;

        var firstCheckedTick = -1;
        for (var swaps = 1; swaps <= masters.Length; swaps++)
        {
            var s = FirstIndex(r, x => x.MasterSwaps == swaps);
            s.Should().BeGreaterThan(0, "swap {0} happened during the recorded run", swaps);
            r[s - 1].MasterSwaps.Should().Be(swaps - 1, "one master swapped in per cycle");
            IsMasterTick(s).Should().BeTrue("swap {0} took over in a cycle that ticked the master", swaps);
            // The master ticks before and after were exactly one master period away: the swap neither delayed nor
            // skipped a tick.
            var previousTick = LastIndexBefore(s, IsMasterTick);
            var nextTick = FirstIndexAfter(r, s, IsMasterTick);
            (s - previousTick).Should().Be(QuadrupedBundle.MasterPeriod, "master ticks are every master_period cycles, across swap {0} too", swaps);
            (nextTick - s).Should().Be(QuadrupedBundle.MasterPeriod, "the new master ticks on the same grid after swap {0}", swaps);
            if (firstCheckedTick < 0) firstCheckedTick = previousTick;

            var tickWork = r.Where((x, i) => i > 0 && i != s && x.Mode == ControllerMode.Policy && IsMasterTick(i)).Select(x => x.WorkNs / 1000.0).Order().ToArray();
            output.WriteLine($"swap {swaps} at cycle {s}: work {r[s].WorkNs / 1000.0:F0} us; other master-tick cycles: median {tickWork[tickWork.Length / 2]:F0} us, " +
                             $"max {tickWork[^1]:F0} us; period {p.Period.TotalMicroseconds:F0} us");
            // The swap cycle finished before the next deadline: the loop's own miss counter, as the next tick saw it, did
            // not move (a load or an ONNX Runtime warm-up on the control thread would take milliseconds, i.e. a miss).
            r[s + 1].MissedDeadlines.Should().Be(r[s].MissedDeadlines, "the cycle of swap {0} overran its period ({1})", swaps, runSummary);
        }
        output.WriteLine($"deadline misses from the master tick before the first swap to the end: {r[^1].MissedDeadlines - r[firstCheckedTick].MissedDeadlines}");

        // Policy mode throughout, from a master period before the first swap to the end: no safe-mode entry across them.
        for (var i = firstCheckedTick; i < r.Length; i++) r[i].Mode.Should().Be(ControllerMode.Policy, "cycle {0}", i);
        r[^1].SafeModeEntries.Should().Be(r[firstCheckedTick].SafeModeEntries);
        // And every decimation cycle across the swaps handed a step to the inference thread, or (a step still running on a
        // loaded machine; its targets held) counted an overrun.
        (r[^1].InferenceRequests + r[^1].InferenceOverruns - r[firstCheckedTick].InferenceRequests - r[firstCheckedTick].InferenceOverruns)
            .Should().Be(SubPolicyStepsBetween(firstCheckedTick, r.Length - 1));
        output.WriteLine($"inference overruns: {r[^1].InferenceOverruns}");
        r[^1].MasterTicks.Should().BeInRange(r[^1].MasterTickRequests - 1, r[^1].MasterTickRequests, "every master tick but maybe the last was picked up");
    }

    /// <summary>Sub-policy steps in cycles (from, to], when a step runs every decimation cycles starting at a master tick at <paramref name="from"/>.</summary>
    private static long SubPolicyStepsBetween(int from, int to) => (to - from) / QuadrupedBundle.Decimation;

    private static int FirstIndex(Record[] r, Func<Record, bool> match)
    {
        for (var i = 0; i < r.Length; i++) if (match(r[i])) return i;
        return -1;
    }

    private static int LastIndexBefore(int before, Func<int, bool> match)
    {
        for (var i = before - 1; i > 0; i--) if (match(i)) return i;
        throw new InvalidOperationException($"no master tick recorded before cycle {before}");
    }

    private static int FirstIndexAfter(Record[] r, int after, Func<int, bool> match)
    {
        for (var i = after + 1; i < r.Length; i++) if (match(i)) return i;
        throw new InvalidOperationException($"no master tick recorded after cycle {after}");
    }

    /// <summary>What one loop tick left behind: its work time (wake-up to after the update), the loop's miss counter at its
    /// start and the controller's status after it.</summary>
    private readonly record struct Record(long WorkNs, long MissedDeadlines, long Cycle, long MasterTicks, long MasterTickRequests, long MasterSwaps, long InferenceRequests, long InferenceOverruns, long SafeModeEntries, ControllerMode Mode);

    /// <summary>The node's controller update, plus one preallocated record per tick (allocation-free).</summary>
    private sealed class RecordingCycle(HierarchicalController controller, int capacity) : IControlCycle
    {
        public Record[] Records { get; } = new Record[capacity];
        private long _count;

        public long Count => Volatile.Read(ref _count);

        public void Run(in ControlTick tick)
        {
            controller.Update();
            if (_count >= Records.Length) throw new InvalidOperationException($"the recorder holds {Records.Length} cycles");
            var s = controller.Status.Read();
            Records[_count] = new Record(MonotonicClock.NowNanoseconds() - tick.WakeNs, tick.MissedDeadlines, s.Cycle, s.MasterTicks, s.MasterTickRequests, s.MasterSwaps, s.InferenceRequests, s.InferenceOverruns, s.SafeModeEntries, s.Mode);
            Volatile.Write(ref _count, _count + 1);
        }
    }
}

/// <summary>Tests whose real-time loop must not share the process with other tests' garbage collections.</summary>
[CollectionDefinition(nameof(RealtimeLoopCollection), DisableParallelization = true)]
public sealed class RealtimeLoopCollection;

using Mlsh.Core;
using Mlsh.Core.Launch;
using Mlsh.Ros2;
using Mlsh.Runtime;
using Mlsh.Runtime.Configuration;
using Mlsh.Runtime.Control;
using Mlsh.SimBridge.Configuration;

namespace Mlsh.SimBridge.Tests.Lockstep;

/// <summary>
/// The SimBridge and the Runtime as in `./mlsh demo`: the shipped parameter files (launch/params/sim.yaml in lockstep,
/// launch/params/runtime.yaml with use_sim_time) and the shipped models, two ROS 2 nodes over real Cyclone DDS on a
/// private loopback domain. The /clock hand-off is what is under test: the simulator advances only when the command
/// for its current step has arrived, the runtime's cycles follow /clock.
/// </summary>
public sealed class RuntimeLockstepTests : IDisposable
{
    private static int _nextDomain = Random.Shared.Next(0, 30);
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-lockstep-").FullName;
    // Domains 30-59: no other test project uses them (Ros2 100-199, SimBridge harness 201-232, Runtime 60-229).
    private readonly uint _domain = (uint)(30 + Interlocked.Increment(ref _nextDomain) % 30);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private RosNodeOptions NodeOptions() => new() { DomainId = _domain, CycloneConfigXml = CycloneConfig.LoopbackOnly(), QosEventSink = _ => { } };

    private static string Params(string name) => Path.Combine(MlshPaths.Root, "launch", "params", name);

    private string Overrides(string node, params (string Key, string Value)[] values)
    {
        var path = Path.Combine(_dir, $"{node}-{Guid.NewGuid():N}.yaml");
        File.WriteAllLines(path, [$"{node}:", "  ros__parameters:", .. values.Select(v => $"    {v.Key}: {v.Value}")]);
        return path;
    }

    private RuntimeParameters RuntimeParams() => RuntimeParameters.FromRos(RosNodeParameters.Load(RuntimeParameters.NodeName,
        [Params("runtime.yaml"), Overrides(RuntimeParameters.NodeName, ("use_sim_time", "true"))]));

    private SimBridgeOptions SimParams(int decimation) => SimBridgeOptions.FromParameters(RosNodeParameters.Load(SimBridgeOptions.DefaultNodeName,
        [Params("sim.yaml"), Overrides(SimBridgeOptions.DefaultNodeName, ("timing_mode", "lockstep"), ("decimation", decimation.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("lockstep_wait_timeout_s", "0.2"))]));

    /// <summary>Physics steps per runtime control cycle from the two shipped files (what the demo passes the simulator).</summary>
    private int PairedDecimation()
    {
        var sim = SimParams(1);
        var runtime = RuntimeParams();
        var ratio = sim.PhysicsRateHz / runtime.ControlRateHz;
        ratio.Should().Be(Math.Round(ratio), "the shipped rates divide");
        return (int)ratio;
    }

    /// <summary>The runtime node on its own thread; Dispose stops it and returns its exit code through <see cref="Exit"/>.</summary>
    private sealed class RunningRuntime : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;

        public RunningRuntime(RuntimeParameters p, RosNodeOptions options)
        {
            Node = new RuntimeNode(p, options, RuntimeParameters.NodeName, TextWriter.Null);
            _thread = new Thread(() => Exit = Node.Run(_stop.Token)) { IsBackground = true, Name = "runtime-under-test" };
            _thread.Start();
        }

        public RuntimeNode Node { get; }
        public int Exit { get; private set; } = -1;

        public void Stop()
        {
            _stop.Cancel();
            _thread.Join(TimeSpan.FromSeconds(20)).Should().BeTrue("the runtime stops when asked");
        }

        public void Dispose()
        {
            if (_thread.IsAlive) Stop();
            Node.Dispose();
        }
    }

    /// <summary>A SimBridge node on its own thread until disposed.</summary>
    private sealed class RunningSim : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;
        private Exception? _failure;

        public RunningSim(SimBridgeOptions o, RosNodeOptions options)
        {
            Bridge = new SimBridgeNode(o, options);
            _thread = new Thread(() =>
            {
                try { Bridge.Run(_stop.Token); }
                catch (Exception e) { _failure = e; }
            }) { IsBackground = true, Name = "sim-under-test" };
            _thread.Start();
        }

        public SimBridgeNode Bridge { get; }

        /// <summary>Runs until the simulated time reaches <paramref name="simSeconds"/> (bounded by wall time).</summary>
        public void RunUntil(double simSeconds, TimeSpan wallLimit)
        {
            var until = DateTime.UtcNow + wallLimit;
            while (Bridge.SimTimeNs < (long)(simSeconds * 1e9))
            {
                if (_failure is not null) throw new InvalidOperationException("the sim thread failed", _failure);
                if (DateTime.UtcNow > until)
                    throw new TimeoutException($"lockstep reached only {Bridge.SimTimeNs / 1e9:F3} s of {simSeconds} s simulated in {wallLimit}: the hand-off stalls");
                Thread.Sleep(10);
            }
        }

        /// <summary>Stops the sim thread: no further /clock tick is published.</summary>
        public void Stop()
        {
            _stop.Cancel();
            _thread.Join(TimeSpan.FromSeconds(10)).Should().BeTrue("the sim thread stops when asked");
            if (_failure is not null) throw new InvalidOperationException("the sim thread failed", _failure);
        }

        public void Dispose()
        {
            if (_thread.IsAlive) Stop();
            Bridge.Dispose();
        }
    }

    /// <summary>Waits (bounded) until the runtime has answered the last /clock tick the stopped simulator published.</summary>
    private static void SettleOn(RuntimeNode runtime, long lastTickNs)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (runtime.SimLoop!.SimTimeNs < lastTickNs && DateTime.UtcNow < until) Thread.Sleep(5);
        Thread.Sleep(50); // the cycle for that tick runs right after the tick is taken
    }

    [Fact]
    public void Lockstep_RuntimeRunsOneCyclePerControlPeriodOfSimTime_CountsNoMisses_AndCommandsEveryStep()
    {
        const double simSeconds = 3.0;
        var p = RuntimeParams();
        var sim = SimParams(PairedDecimation());
        using var runtime = new RunningRuntime(p, NodeOptions());
        using var bridge = new RunningSim(sim, NodeOptions());
        bridge.RunUntil(simSeconds, TimeSpan.FromSeconds(150));
        bridge.Stop();
        var b = bridge.Bridge;
        SettleOn(runtime.Node, b.SimTimeNs);
        var loop = runtime.Node.SimLoop!;
        var cycles = loop.CyclesRun;
        var skipped = loop.ClockSkippedCycles;
        var lateness = new Runtime.Timing.LatencyHistogramSnapshot();
        loop.WakeLateness.CopyTo(lateness);
        var status = runtime.Node.Controller.Status.Read();
        runtime.Stop();
        runtime.Exit.Should().Be(0, "the control loop never faulted");

        var periodNs = (long)(1e9 / p.ControlRateHz);
        var steps = b.LockstepSteps;
        b.SimTimeNs.Should().Be(steps * periodNs, "each lockstep step advances exactly one control period");
        // The runtime answered every tick: one cycle per step, plus the tick published after the last step.
        cycles.Should().BeInRange(steps, steps + 1, $"one cycle per control period of {b.SimTimeNs / 1e9:F3} s simulated at {p.ControlRateHz} Hz");
        skipped.Should().Be(0, "no control deadline passed on /clock without a cycle");
        loop.DeadlineMisses.Should().Be(0, "deadline misses are a wall-clock notion; under /clock nothing is late");
        lateness.Max.Should().Be(0, "every cycle ran at its own deadline of simulated time");
        b.Commands.Accepted.Should().Be(steps, "the simulator took exactly one runtime command per step, for the whole run");
        b.Commands.DroppedWrongSize.Should().Be(0);
        b.Commands.DroppedNonFinite.Should().Be(0);
        b.Counters.LockstepWaitTimeouts.Should().BeLessThanOrEqualTo(1, "beyond discovery at start the runtime never let the simulator wait a whole timeout");
        status.Cycle.Should().Be(cycles);
        status.JointStateAgeCycles.Should().Be(0, "the last cycle saw the joint state of its own tick");
        // The controller starts in safe mode (no state yet) and takes over after recovery_cycles; from then on no
        // watchdog or other fault may fire: the state of every tick reached the runtime in time.
        runtime.Node.SafeModeTimes.LastExitNs.Should().BeInRange((p.RecoveryCycles - 1) * periodNs, (p.RecoveryCycles + 4) * periodNs,
            "recovery_cycles fault-free cycles from tick 0 (later if the first ticks ran before their state arrived)");
        runtime.Node.SafeModeTimes.LastEntryNs.Should().Be(SafeModeTimes.Never, "the runtime never fell back to safe mode");
        status.Mode.Should().Be(ControllerMode.Policy);
    }

    [Fact]
    public void Lockstep_SimulatorSteppingTenControlPeriodsPerCommand_IsReportedAsSkippedClockCycles_NotDeadlineMisses()
    {
        var p = RuntimeParams();
        var paired = PairedDecimation();
        using var runtime = new RunningRuntime(p, NodeOptions());
        using var bridge = new RunningSim(SimParams(10 * paired), NodeOptions());
        bridge.RunUntil(1.0, TimeSpan.FromSeconds(90));
        bridge.Stop();
        SettleOn(runtime.Node, bridge.Bridge.SimTimeNs);
        var loop = runtime.Node.SimLoop!;
        var steps = bridge.Bridge.LockstepSteps;
        var cycles = loop.CyclesRun;
        cycles.Should().BeInRange(steps, steps + 1, "one cycle per /clock tick");
        loop.ClockSkippedCycles.Should().Be(9 * (cycles - 1), "the nine control deadlines inside each 10-period step had no cycle");
        loop.DeadlineMisses.Should().Be(0);
    }

    [Fact]
    public void SimulatorRestart_ClockResetEntersSafeModeAtTheNewEpochsFirstTick_AndRecoversAfterRecoveryCycles()
    {
        var p = RuntimeParams();
        var sim = SimParams(PairedDecimation());
        using var runtime = new RunningRuntime(p, NodeOptions());
        using (var first = new RunningSim(sim, NodeOptions()))
        {
            first.RunUntil(0.6, TimeSpan.FromSeconds(60));
            first.Stop();
        }
        var node = runtime.Node;
        var periodNs = (long)(1e9 / p.ControlRateHz);
        node.SafeModeTimes.LastEntryNs.Should().Be(SafeModeTimes.Never, "nothing faulted on the first simulator");
        using var second = new RunningSim(sim, NodeOptions());
        second.RunUntil(0.4, TimeSpan.FromSeconds(60));

        node.SimLoop!.ClockResets.Should().Be(1);
        (node.Controller.Status.Read().FaultHistory & SafetyFaults.ClockReset).Should().Be(SafetyFaults.ClockReset);
        node.SafeModeTimes.LastEntryNs.Should().Be(0, "safe mode at the first tick of the restarted simulator's clock");
        (node.SafeModeTimes.LastEntryFaults & SafetyFaults.ClockReset).Should().Be(SafetyFaults.ClockReset, "the entry records why");
        node.SafeModeTimes.LastExitNs.Should().Be(p.RecoveryCycles * periodNs, "back on the policy after recovery_cycles fault-free cycles");
        node.Controller.Status.Read().Mode.Should().Be(ControllerMode.Policy);
        node.SimLoop.ClockSkippedCycles.Should().Be(0);
    }
}

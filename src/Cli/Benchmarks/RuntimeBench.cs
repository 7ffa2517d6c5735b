using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Mlsh.Core;
using Mlsh.Core.Configuration;
using Mlsh.Core.Launch;
using Mlsh.Onnx.Manifest;
using Mlsh.OnnxRuntime.Policies;
using Mlsh.Ros2;
using Mlsh.Ros2.Messages.NavMsgs;
using Mlsh.Ros2.Messages.SensorMsgs;
using Mlsh.Ros2.Qos;
using Mlsh.Runtime.Configuration;
using Mlsh.Runtime.Control;
using Mlsh.Runtime.Hardware;
using Mlsh.Runtime.Timing;

namespace Mlsh.Cli.Benchmarks;

/// <summary>
/// `./mlsh bench runtime`: the Runtime's real control loop — <see cref="PeriodicControlThread{TCycle}"/> running
/// <see cref="HierarchicalController"/> with the shipped models through <see cref="DdsRobotHardware"/> — fed with
/// joint states, IMU and odometry over Cyclone DDS by a second process, against a gcc-compiled C
/// clock_nanosleep(TIMER_ABSTIME) loop (<see cref="CDeadlineLoopReference"/>) with the same schedule, in the same run.
/// Reports compute time per cycle, wake-up lateness of both loops, deadline misses, managed bytes allocated per
/// cycle on the control thread, and how long commands wait between the control thread and their DDS write on the
/// publisher thread (see docs/runtime-timing.md). With policy_inference thread (the default) the policy runs on its
/// own thread as in RuntimeNode; the run then also reports that thread's inference time, the action latency and
/// overruns, and measures the same loop with inline inference afterwards (--inline-seconds) for comparison.
/// </summary>
public sealed class RuntimeBench : IBench
{
    private readonly Option<double> _seconds = new("--seconds")
    {
        Description = "Measured duration of the Runtime loop; the C reference runs as long in total (half before, half after).",
        DefaultValueFactory = _ => 30,
    };
    private readonly Option<double> _rate = new("--rate-hz") { Description = "Rate of both loops.", DefaultValueFactory = _ => 1000 };
    private readonly Option<int> _priority = new("--realtime-priority")
    {
        Description = "SCHED_FIFO priority requested for both loops (0 = SCHED_OTHER); a refusal is reported, not fatal.",
        DefaultValueFactory = _ => 0,
    };
    private readonly Option<bool> _inPlace = new("--in-place-commands")
    {
        Description = "Write each command to DDS on the control thread (dds_write inside the cycle, as before the hand-off to a publisher thread), for comparison.",
    };
    private readonly Option<string?> _inference = new("--policy-inference")
    {
        Description = "Where the policy runs in the measured loop: thread (its own thread, as RuntimeNode on the wall clock) or inline (in the control cycle). Default: policy_inference of launch/params/runtime.yaml.",
    };
    private readonly Option<double> _inlineSeconds = new("--inline-seconds")
    {
        Description = "With threaded inference, also measure the same loop this long with inline inference (*_inline keys), between the two halves of the threaded run; 0 skips it.",
        DefaultValueFactory = _ => 10,
    };
    private readonly Option<string?> _models = new("--models") { Description = "Exported models directory (default: models_dir of launch/params/runtime.yaml)." };
    private readonly Option<string?> _statePublisher = new("--state-publisher")
    {
        Description = "Internal: run as this benchmark's sensor-state publisher on <domain>/<discovery tag>.",
        Hidden = true,
    };

    public string Name => "runtime";
    public string Description => "The Runtime control loop (shipped models, DDS state in) vs a C clock_nanosleep loop: compute, lateness p50/p99/max, misses, bytes/cycle.";
    public IEnumerable<Option> Options => [_seconds, _rate, _priority, _inPlace, _inference, _inlineSeconds, _models, _statePublisher];

    public int Run(ParseResult parse, bool json)
    {
        var seconds = parse.GetValue(_seconds);
        var rate = parse.GetValue(_rate);
        var priority = parse.GetValue(_priority);
        if (!(seconds is >= 0.5 and <= 3600)) throw new ConfigException($"bench runtime: --seconds must be in [0.5, 3600], got {seconds}");
        if (!(rate is >= 10 and <= 20_000)) throw new ConfigException($"bench runtime: --rate-hz must be in [10, 20000], got {rate}");
        if (priority is < 0 or > 99) throw new ConfigException($"bench runtime: --realtime-priority must be 0 (none) or a SCHED_FIFO priority 1..99, got {priority}");
        var paramsFile = Path.Combine(MlshPaths.Root, "launch", "params", "runtime.yaml");
        var p = RuntimeParameters.FromRos(RosNodeParameters.Load(RuntimeParameters.NodeName, [paramsFile]), parse.GetValue(_models));
        var manifestPath = Path.Combine(p.ModelsDir, ManifestYaml.FileName);
        if (!File.Exists(manifestPath)) throw new ConfigException($"bench runtime: no {ManifestYaml.FileName} in {p.ModelsDir}; pass --models with an exported bundle");
        var manifest = ManifestYaml.Load(manifestPath);
        var period = TimeSpan.FromSeconds(1.0 / rate);

        if (parse.GetValue(_statePublisher) is { } publisher)
        {
            var slash = publisher.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || !uint.TryParse(publisher.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out var publisherDomain))
                throw new ConfigException($"bench runtime: --state-publisher expects <domain>/<tag>, got '{publisher}'");
            return RunStatePublisher(p, manifest, Ros(publisherDomain, publisher[(slash + 1)..]), period);
        }
        var mode = parse.GetValue(_inference) switch
        {
            null => p.PolicyInference,
            "thread" => PolicyInferenceMode.Thread,
            "inline" => PolicyInferenceMode.Inline,
            var m => throw new ConfigException($"bench runtime: --policy-inference must be thread or inline, got '{m}'"),
        };
        var inlineSeconds = parse.GetValue(_inlineSeconds);
        if (!(inlineSeconds == 0 || inlineSeconds is >= 0.5 and <= 3600)) throw new ConfigException($"bench runtime: --inline-seconds must be 0 (skip) or in [0.5, 3600], got {inlineSeconds}");
        return Measure(p, manifest, manifestPath, period, seconds, priority, parse.GetValue(_inPlace), mode, inlineSeconds, json);
    }

    // DESIGN: the sensor-state publisher is a child process (this benchmark re-run with --state-publisher), not a
    // thread here. Two participants of one process share Cyclone's domain instance, which hands samples over
    // in memory; from another process they arrive as RTPS datagrams through Cyclone's receive thread, as they do
    // on a robot, and that thread competes with the control thread as it would in deployment. A child also keeps
    // the publisher's own garbage out of the measured process.
    private static int Measure(RuntimeParameters p, PolicyManifest manifest, string manifestPath, TimeSpan period, double seconds, int priority, bool inPlaceCommands,
        PolicyInferenceMode mode, double inlineSeconds, bool json)
    {
        DeploymentContract.Check(p, manifest, manifestPath);
        var options = new ControlThreadOptions { Period = period, RealtimePriority = priority > 0 ? priority : null };
        var domain = (uint)Random.Shared.Next(150, 200);
        var tag = $"mlsh-bench-runtime-{Environment.ProcessId}";
        var ros = Ros(domain, tag);

        using var bundle = PolicyBundle.Load(p.ModelsDir, DeploymentContract.ExpectationsFor(p));
        using var node = new RosNode(RuntimeParameters.NodeName, ros);
        using var hardware = new DdsRobotHardware(node, p);
        var controller = new HierarchicalController(p, bundle, hardware);
        hardware.StartReaderThread();
        // As RuntimeNode does on the wall clock: the control thread hands each command to the publisher thread.
        if (!inPlaceCommands) hardware.StartCommandPublisher(period, priority > 1 ? priority - 1 : null);

        using var publisher = StartStatePublisher(domain, tag, period, p.ModelsDir);
        var publisherErrors = publisher.StandardError.ReadToEndAsync();
        try
        {
            if (publisher.StandardOutput.ReadLine() != "ready")
            {
                publisher.WaitForExit(5_000);
                throw new InvalidOperationException("bench runtime: the state publisher did not start: " + (publisherErrors.IsCompleted ? publisherErrors.Result.Trim() : "(no output)"));
            }

            // The reference runs before and after the Runtime loop, pooled, so load drift on a shared machine
            // favours neither side; the state publisher runs throughout, so both see the same background load.
            var half = TimeSpan.FromSeconds(seconds / 2);
            var cBefore = CDeadlineLoopReference.Run(period, half, options.SpinWindow, options.RealtimePriority);
            // As RuntimeNode does on the wall clock: the policy on its own thread, one priority below the control thread.
            void StartInference() => controller.StartInferenceThread(period, priority > 1 ? priority - 1 : null);
            LoopResult ours;
            LoopResult? inline = null;
            if (mode == PolicyInferenceMode.Thread && inlineSeconds > 0)
            {
                // DESIGN: threaded, inline, threaded again (the two threaded halves pooled), as the C reference is split
                // around the Runtime loop: the first phase of a run comes right after start-up (background JIT, the state
                // publisher settling) and showed several times the deadline misses of a later one, so measuring the modes
                // one after the other would credit the later one with the machine's settling.
                StartInference();
                var first = RunControlLoop(controller, options, TimeSpan.FromSeconds(seconds / 2));
                // The same controller, loop and state stream with the policy back in the control cycle.
                controller.StopInferenceThread();
                inline = RunControlLoop(controller, options, TimeSpan.FromSeconds(inlineSeconds));
                StartInference();
                ours = Pool(first, RunControlLoop(controller, options, TimeSpan.FromSeconds(seconds / 2)));
            }
            else
            {
                if (mode == PolicyInferenceMode.Thread) StartInference();
                ours = RunControlLoop(controller, options, TimeSpan.FromSeconds(seconds));
            }
            var cAfter = CDeadlineLoopReference.Run(period, half, options.SpinWindow, options.RealtimePriority);
            var cLateness = new LatencyHistogramSnapshot();
            cLateness.Add(cBefore.Lateness);
            cLateness.Add(cAfter.Lateness);
            var cMisses = cBefore.DeadlineMisses + cAfter.DeadlineMisses;
            Report(p, period, seconds, ours, inline ?? (mode == PolicyInferenceMode.Inline ? ours : null), cLateness, cBefore.Cycles + cAfter.Cycles, cMisses, cBefore.Scheduler, hardware, json);
            return 0;
        }
        finally
        {
            // Closing its stdin is the publisher's stop signal.
            try { publisher.StandardInput.Close(); } catch (IOException) { }
            if (!publisher.WaitForExit(5_000))
            {
                publisher.Kill();
                publisher.WaitForExit();
            }
        }
    }

    private sealed record LoopResult(
        LatencyHistogramSnapshot Compute, LatencyHistogramSnapshot Lateness, LatencyHistogramSnapshot PolicyUpdates, LatencyHistogramSnapshot PdOnlyUpdates, long Cycles, long DeadlineMisses, double AllocBytesPerCycle,
        long PolicyCycles, ControllerStatus Start, ControllerStatus End, RealtimeReport Realtime, InferenceResult? Inference);

    /// <summary>The inference thread over the measured window (threaded runs only).</summary>
    private sealed record InferenceResult(LatencyHistogramSnapshot Run, LatencyHistogramSnapshot StartDelay, LatencyHistogramSnapshot PickupUpdates, long Steps, double AllocBytesPerStep, RealtimeReport Realtime);

    /// <summary>Two measured windows of the same mode as one: histograms and counts added, the status counters of the
    /// phase between them left out.</summary>
    private static LoopResult Pool(LoopResult a, LoopResult b)
    {
        static LatencyHistogramSnapshot Sum(LatencyHistogramSnapshot x, LatencyHistogramSnapshot y)
        {
            var s = new LatencyHistogramSnapshot();
            s.Add(x);
            s.Add(y);
            return s;
        }
        // End − Start of the pooled result = (a.End − a.Start) + (b.End − b.Start).
        var end = b.End;
        end.SubPolicySteps -= b.Start.SubPolicySteps - a.End.SubPolicySteps;
        end.MasterTicks -= b.Start.MasterTicks - a.End.MasterTicks;
        end.SafeModeEntries -= b.Start.SafeModeEntries - a.End.SafeModeEntries;
        end.ActionPickups -= b.Start.ActionPickups - a.End.ActionPickups;
        end.ActionLatencyCycles -= b.Start.ActionLatencyCycles - a.End.ActionLatencyCycles;
        end.InferenceOverruns -= b.Start.InferenceOverruns - a.End.InferenceOverruns;
        var cycles = a.Cycles + b.Cycles;
        InferenceResult? inference = null;
        if (a.Inference is { } ia && b.Inference is { } ib)
        {
            var steps = ia.Steps + ib.Steps;
            inference = new InferenceResult(Sum(ia.Run, ib.Run), Sum(ia.StartDelay, ib.StartDelay), Sum(ia.PickupUpdates, ib.PickupUpdates), steps,
                steps == 0 ? 0 : (ia.AllocBytesPerStep * ia.Steps + ib.AllocBytesPerStep * ib.Steps) / steps, ia.Realtime);
        }
        return new LoopResult(Sum(a.Compute, b.Compute), Sum(a.Lateness, b.Lateness), Sum(a.PolicyUpdates, b.PolicyUpdates), Sum(a.PdOnlyUpdates, b.PdOnlyUpdates),
            cycles, a.DeadlineMisses + b.DeadlineMisses, cycles == 0 ? 0 : (a.AllocBytesPerCycle * a.Cycles + b.AllocBytesPerCycle * b.Cycles) / cycles,
            a.PolicyCycles + b.PolicyCycles, a.Start, end, a.Realtime, inference);
    }

    private static LoopResult RunControlLoop(HierarchicalController controller, ControlThreadOptions options, TimeSpan measured)
    {
        var cycle = new MeasuredCycle(controller);
        using var loop = new PeriodicControlThread<MeasuredCycle>(cycle, options);
        var realtime = loop.Start();

        void ThrowIfStopped()
        {
            if (loop.Fault is { } f) throw new InvalidOperationException($"bench runtime: the control loop failed: {f.GetType().Name}: {f.Message}", f);
        }

        // Policy mode needs fresh joint state, IMU and odometry (watchdogs) plus recovery_cycles fault-free cycles.
        var until = Stopwatch.GetTimestamp() + 20 * Stopwatch.Frequency;
        while (controller.Status.Read().Mode != ControllerMode.Policy)
        {
            ThrowIfStopped();
            if (Stopwatch.GetTimestamp() > until)
                throw new InvalidOperationException($"bench runtime: the controller did not leave safe mode within 20 s (faults: {controller.Status.Read().Faults}); is the state publisher reaching it over DDS?");
            Thread.Sleep(10);
        }
        // Warm-up in policy mode: tiered JIT promotes the cycle's methods after ~30 calls plus a ~100 ms delay,
        // and ONNX Runtime's first runs settle; none of that is the steady state a robot runs in.
        Thread.Sleep(1500);
        ThrowIfStopped();
        var start = controller.Status.Read();
        loop.RequestStatsReset();
        controller.RequestInferenceStatsReset();
        var inferenceAlloc = controller.InferenceThreadAllocatedBytes;
        var inferenceSteps = controller.InferenceStepsCompleted;
        cycle.RequestMark();
        Thread.Sleep(measured);
        ThrowIfStopped();
        loop.Stop();
        ThrowIfStopped();
        InferenceResult? inference = null;
        if (controller.InferenceRunTime is { } runTime)
        {
            var run = new LatencyHistogramSnapshot();
            var delay = new LatencyHistogramSnapshot();
            var pickups = new LatencyHistogramSnapshot();
            runTime.CopyTo(run);
            controller.InferenceStartDelay!.CopyTo(delay);
            cycle.PickupUpdates.CopyTo(pickups);
            var steps = controller.InferenceStepsCompleted - inferenceSteps;
            inference = new InferenceResult(run, delay, pickups, steps, steps == 0 ? 0 : (double)(controller.InferenceThreadAllocatedBytes - inferenceAlloc) / steps, controller.InferenceRealtime!);
        }

        var compute = new LatencyHistogramSnapshot();
        var lateness = new LatencyHistogramSnapshot();
        loop.ComputeTime.CopyTo(compute);
        loop.WakeLateness.CopyTo(lateness);
        var policyUpdates = new LatencyHistogramSnapshot();
        var pdUpdates = new LatencyHistogramSnapshot();
        cycle.PolicyUpdates.CopyTo(policyUpdates);
        cycle.PdOnlyUpdates.CopyTo(pdUpdates);
        return new LoopResult(compute, lateness, policyUpdates, pdUpdates, cycle.CyclesSinceMark, loop.DeadlineMisses - cycle.MissesAtMark,
            cycle.CyclesSinceMark == 0 ? 0 : (double)cycle.BytesSinceMark / cycle.CyclesSinceMark,
            cycle.PolicyCyclesSinceMark, start, controller.Status.Read(), realtime, inference);
    }

    /// <summary>
    /// One controller update per tick, plus the control thread's own allocation counter read around it (an
    /// allocation-free call) from the cycle the measurement starts at.
    /// </summary>
    private sealed class MeasuredCycle(HierarchicalController controller) : IControlCycle
    {
        private volatile bool _markRequested;
        private bool _marked;
        private long _allocAtMark, _allocLast, _requests, _pickups;

        /// <summary>Duration of the controller update alone: in cycles that started a policy step (inline: ran the sub-policy
        /// and maybe the master; threaded: handed the observation over), in cycles that picked a threaded step's action
        /// up, and in the others (PD law only).</summary>
        public LatencyHistogram PolicyUpdates { get; } = new();
        public LatencyHistogram PickupUpdates { get; } = new();
        public LatencyHistogram PdOnlyUpdates { get; } = new();

        public long MissesAtMark { get; private set; }
        public long CyclesSinceMark { get; private set; }
        public long PolicyCyclesSinceMark { get; private set; }
        public long BytesSinceMark => _allocLast - _allocAtMark;

        public void RequestMark() => _markRequested = true;

        public void Run(in ControlTick tick)
        {
            if (_markRequested && !_marked)
            {
                _marked = true;
                MissesAtMark = tick.MissedDeadlines;
                _allocAtMark = GC.GetAllocatedBytesForCurrentThread();
            }
            var t0 = MonotonicClock.NowNanoseconds();
            controller.Update();
            var t1 = MonotonicClock.NowNanoseconds();
            if (!_marked) return;
            CyclesSinceMark++;
            var status = controller.Status.Read();
            if (status.Mode == ControllerMode.Policy) PolicyCyclesSinceMark++;
            var histogram = status.InferenceRequests != _requests ? PolicyUpdates
                : status.ActionPickups != _pickups && controller.InferenceMode == PolicyInferenceMode.Thread ? PickupUpdates
                : PdOnlyUpdates;
            histogram.Record(t1 - t0);
            _requests = status.InferenceRequests;
            _pickups = status.ActionPickups;
            _allocLast = GC.GetAllocatedBytesForCurrentThread();
        }
    }

    private static void Report(RuntimeParameters p, TimeSpan period, double seconds, LoopResult ours, LoopResult? inline, LatencyHistogramSnapshot c, long cCycles, long cMisses,
        RealtimeSetting cScheduler, DdsRobotHardware hardware, bool json)
    {
        static double Us(long ns) => Math.Round(ns / 1000.0, 3);
        var rateHz = 1.0 / period.TotalSeconds;
        var ratio = (double)ours.Lateness.P99 / Math.Max(1, c.P99);
        var policyFraction = ours.Cycles == 0 ? 0 : (double)ours.PolicyCycles / ours.Cycles;
        var subSteps = ours.End.SubPolicySteps - ours.Start.SubPolicySteps;
        var masterTicks = ours.End.MasterTicks - ours.Start.MasterTicks;
        var safeEntries = ours.End.SafeModeEntries - ours.Start.SafeModeEntries;
        var pickups = ours.End.ActionPickups - ours.Start.ActionPickups;
        var actionLatency = pickups == 0 ? 0 : (double)(ours.End.ActionLatencyCycles - ours.Start.ActionLatencyCycles) / pickups;
        var overruns = ours.End.InferenceOverruns - ours.Start.InferenceOverruns;
        var inference = ours.Inference;

        Console.WriteLine($"models {p.ModelsDir} ({p.JointNames.Count} joints); loops at {rateHz:F0} Hz, spin window 80 us; state over DDS from a second process (loopback)");
        Console.WriteLine($"Runtime loop: {ours.Realtime.Scheduler.Detail}; {ours.Realtime.TimerSlack.Detail}. C loop: {cScheduler.Detail}");
        Console.WriteLine($"{"loop",-24} {"cycles",8} {"misses",7} {"late p50 us",12} {"late p99 us",12} {"late max us",12} {"compute p50",12} {"compute p99",12}");
        Console.WriteLine($"{"Runtime (C#)",-24} {ours.Cycles,8} {ours.DeadlineMisses,7} {Us(ours.Lateness.P50),12:F2} {Us(ours.Lateness.P99),12:F2} {Us(ours.Lateness.Max),12:F1} {Us(ours.Compute.P50),12:F2} {Us(ours.Compute.P99),12:F2}");
        Console.WriteLine($"{"C clock_nanosleep (ref)",-24} {cCycles,8} {cMisses,7} {Us(c.P50),12:F2} {Us(c.P99),12:F2} {Us(c.Max),12:F1} {"(empty)",12} {"(empty)",12}");
        Console.WriteLine($"controller: {policyFraction:P1} of measured cycles in policy mode, {subSteps} sub-policy steps, {masterTicks} master ticks, " +
                          $"{safeEntries} safe-mode entries, faults seen {ours.End.FaultHistory}; rejected joint states {hardware.RejectedJointStates}");
        Console.WriteLine($"controller update alone: cycles running a sub-policy p50 {Us(ours.PolicyUpdates.P50):F1} us, p99 {Us(ours.PolicyUpdates.P99):F1} us ({ours.PolicyUpdates.Count}); " +
                          $"PD-only cycles p50 {Us(ours.PdOnlyUpdates.P50):F1} us, p99 {Us(ours.PdOnlyUpdates.P99):F1} us ({ours.PdOnlyUpdates.Count})");
        var handoff = new LatencyHistogramSnapshot();
        hardware.CommandHandoff.CopyTo(handoff);
        if (hardware.CommandPublisherRealtime is null) Console.WriteLine("commands: written to DDS on the control thread (--in-place-commands)");
        else Console.WriteLine($"command hand-off, control thread -> DDS write on the publisher thread ({hardware.CommandPublisherRealtime.Scheduler.Detail}), whole run: " +
                          $"p50 {Us(handoff.P50):F1} us, p99 {Us(handoff.P99):F1} us, max {Us(handoff.Max):F1} us over {handoff.Count} commands; {hardware.DroppedCommands} dropped");
        if (inference is null)
            Console.WriteLine("policy inference: inline in the control cycle (the sub-policy cycles above include the ONNX Runtime runs)");
        else
            Console.WriteLine($"policy inference on its own thread ({inference.Realtime.Scheduler.Detail}): run p50 {Us(inference.Run.P50):F1} us, p99 {Us(inference.Run.P99):F1} us over {inference.Steps} steps; " +
                              $"start after hand-over p50 {Us(inference.StartDelay.P50):F1} us, p99 {Us(inference.StartDelay.P99):F1} us; pickup cycles p50 {Us(inference.PickupUpdates.P50):F1} us, p99 {Us(inference.PickupUpdates.P99):F1} us; " +
                              $"action latency {actionLatency:F3} control cycles (mean); {overruns} overruns; {inference.AllocBytesPerStep:F3} managed bytes per step");
        if (inline is not null && !ReferenceEquals(inline, ours))
            Console.WriteLine($"same loop with inline inference ({inline.Cycles} cycles): compute p50 {Us(inline.Compute.P50):F2} us, p99 {Us(inline.Compute.P99):F2} us; " +
                              $"sub-policy cycles p50 {Us(inline.PolicyUpdates.P50):F1} us, p99 {Us(inline.PolicyUpdates.P99):F1} us; PD-only cycles p99 {Us(inline.PdOnlyUpdates.P99):F1} us; lateness p99 {Us(inline.Lateness.P99):F1} us; {inline.DeadlineMisses} misses");
        Console.WriteLine($"managed bytes allocated per cycle on the control thread: {ours.AllocBytesPerCycle:F3} (target 0)");
        Console.WriteLine($"lateness p99 ratio vs C: {ratio:F2} (target <= 1.0); compute p99 {Us(ours.Compute.P99):F1} us (target <= 25)");
        if (policyFraction < 1) Console.WriteLine("warning: the controller spent part of the run in safe mode; its compute figures then mix in the cheaper safe-mode cycles");

        if (!json) return;
        JsonOut.WriteLastLine(new Dictionary<string, object?>
        {
            ["bench"] = "runtime",
            ["rate_hz"] = Math.Round(rateHz, 3),
            ["seconds"] = seconds,
            ["cycles"] = ours.Cycles,
            ["compute_p50_us"] = Us(ours.Compute.P50),
            ["compute_p99_us"] = Us(ours.Compute.P99),
            ["compute_max_us"] = Us(ours.Compute.Max),
            ["lateness_p50_us"] = Us(ours.Lateness.P50),
            ["lateness_p99_us"] = Us(ours.Lateness.P99),
            ["lateness_max_us"] = Us(ours.Lateness.Max),
            ["update_policy_cycles_p50_us"] = Us(ours.PolicyUpdates.P50),
            ["update_policy_cycles_p99_us"] = Us(ours.PolicyUpdates.P99),
            ["update_pd_cycles_p50_us"] = Us(ours.PdOnlyUpdates.P50),
            ["update_pd_cycles_p99_us"] = Us(ours.PdOnlyUpdates.P99),
            ["deadline_misses"] = ours.DeadlineMisses,
            ["c_cycles"] = cCycles,
            ["c_lateness_p50_us"] = Us(c.P50),
            ["c_lateness_p99_us"] = Us(c.P99),
            ["c_lateness_max_us"] = Us(c.Max),
            ["c_deadline_misses"] = cMisses,
            ["lateness_p99_ratio_vs_c"] = Math.Round(ratio, 3),
            ["alloc_bytes_per_cycle"] = Math.Round(ours.AllocBytesPerCycle, 3),
            ["command_handoff_p50_us"] = Us(handoff.P50),
            ["command_handoff_p99_us"] = Us(handoff.P99),
            ["commands_dropped"] = hardware.DroppedCommands,
            ["command_handoff"] = hardware.CommandPublisherRealtime is not null,
            ["policy_cycle_fraction"] = Math.Round(policyFraction, 4),
            ["sub_policy_steps"] = subSteps,
            ["master_ticks"] = masterTicks,
            ["safe_mode_entries"] = safeEntries,
            ["scheduler"] = ours.Realtime.Scheduler.Detail,
            ["c_scheduler"] = cScheduler.Detail,
            ["policy_inference"] = inference is null ? "inline" : "thread",
            ["inference_p50_us"] = inference is null ? null : Us(inference.Run.P50),
            ["inference_p99_us"] = inference is null ? null : Us(inference.Run.P99),
            ["inference_start_delay_p50_us"] = inference is null ? null : Us(inference.StartDelay.P50),
            ["inference_start_delay_p99_us"] = inference is null ? null : Us(inference.StartDelay.P99),
            ["inference_steps"] = inference?.Steps,
            ["alloc_bytes_per_inference"] = inference is null ? null : Math.Round(inference.AllocBytesPerStep, 3),
            ["update_pickup_cycles_p50_us"] = inference is null ? null : Us(inference.PickupUpdates.P50),
            ["update_pickup_cycles_p99_us"] = inference is null ? null : Us(inference.PickupUpdates.P99),
            ["action_latency_cycles"] = Math.Round(actionLatency, 4),
            ["inference_overruns"] = overruns,
            ["compute_p50_us_inline"] = inline is null ? null : Us(inline.Compute.P50),
            ["compute_p99_us_inline"] = inline is null ? null : Us(inline.Compute.P99),
            ["update_policy_cycles_p50_us_inline"] = inline is null ? null : Us(inline.PolicyUpdates.P50),
            ["update_policy_cycles_p99_us_inline"] = inline is null ? null : Us(inline.PolicyUpdates.P99),
            ["update_pd_cycles_p99_us_inline"] = inline is null ? null : Us(inline.PdOnlyUpdates.P99),
            ["deadline_misses_inline"] = inline?.DeadlineMisses,
            ["lateness_p99_us_inline"] = inline is null ? null : Us(inline.Lateness.P99),
            ["cycles_inline"] = inline?.Cycles,
        });
    }

    // DESIGN: a discovery tag on top of a random domain: tests and other runs on this machine publish the same topics
    // in overlapping domain ranges, and Cyclone never discovers a participant whose tag differs, so no stray joint
    // state can reach the measured loop.
    private static RosNodeOptions Ros(uint domain, string tag) => new()
    {
        DomainId = domain,
        CycloneConfigXml = CycloneConfig.LoopbackOnly(discoveryTag: tag),
    };

    private static Process StartStatePublisher(uint domain, string tag, TimeSpan period, string modelsDir)
    {
        var cli = typeof(RuntimeBench).Assembly.Location;
        var host = Environment.ProcessPath ?? "dotnet";
        var psi = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") psi.ArgumentList.Add(cli);
        foreach (var a in new[] { "bench", "runtime", "--state-publisher", string.Create(CultureInfo.InvariantCulture, $"{domain}/{tag}"),
                     "--rate-hz", (1.0 / period.TotalSeconds).ToString("R", CultureInfo.InvariantCulture), "--models", modelsDir })
            psi.ArgumentList.Add(a);
        return Process.Start(psi) ?? throw new InvalidOperationException("bench runtime: cannot start the state publisher process");
    }

    /// <summary>The child process: publishes joint states, IMU and odometry once per period until its stdin closes.</summary>
    private static int RunStatePublisher(RuntimeParameters p, PolicyManifest manifest, RosNodeOptions ros, TimeSpan period)
    {
        using var node = new RosNode("mlsh_bench_robot", ros);
        using var joints = node.CreatePublisher<JointState>(p.JointStatesTopic, QosProfile.SensorData);
        using var imu = node.CreatePublisher<Imu>(p.ImuTopic, QosProfile.SensorData);
        using var odom = node.CreatePublisher<Odometry>(p.OdomTopic, QosProfile.SensorData);
        if (!joints.WaitForSubscriptions(1, TimeSpan.FromSeconds(30)) || !imu.WaitForSubscriptions(1, TimeSpan.FromSeconds(10)) || !odom.WaitForSubscriptions(1, TimeSpan.FromSeconds(10)))
        {
            Console.Error.WriteLine($"state publisher: the runtime's subscriptions were not matched on domain {ros.DomainId}");
            return 1;
        }
        using var loop = new PeriodicControlThread<StateCycle>(new StateCycle(joints, imu, odom, p.JointNames, manifest.Action.DefaultPose),
            new ControlThreadOptions { Period = period, SpinWindow = TimeSpan.Zero, ThreadName = "mlsh-bench-state" });
        loop.Start();
        Console.WriteLine("ready");
        Console.Out.Flush();
        while (Console.In.ReadLine() is not null)
        {
        }
        loop.Stop();
        return loop.Fault is null ? 0 : 1;
    }

    /// <summary>A standing robot that sways its joints slowly (±0.05 rad at 0.5 Hz), so every observation differs.</summary>
    private sealed class StateCycle : IControlCycle
    {
        private readonly Publisher<JointState> _jointPub;
        private readonly Publisher<Imu> _imuPub;
        private readonly Publisher<Odometry> _odomPub;
        private readonly JointState _joints;
        private readonly Imu _imu = new();
        private readonly Odometry _odom = new();
        private readonly double[] _pose;

        public StateCycle(Publisher<JointState> joints, Publisher<Imu> imu, Publisher<Odometry> odom, IReadOnlyList<string> names, IReadOnlyList<float> defaultPose)
        {
            _jointPub = joints;
            _imuPub = imu;
            _odomPub = odom;
            _joints = JointState.WithJoints(names);
            _pose = defaultPose.Select(v => (double)v).ToArray();
            _imu.LinearAcceleration.Z = 9.81;
        }

        public void Run(in ControlTick tick)
        {
            var t = tick.DeadlineNs * 1e-9;
            const double amplitude = 0.05, omega = Math.PI;
            for (var i = 0; i < _pose.Length; i++)
            {
                _joints.Position[i] = _pose[i] + amplitude * Math.Sin(omega * t + i);
                _joints.Velocity[i] = amplitude * omega * Math.Cos(omega * t + i);
            }
            _joints.Header.Stamp.SetNanoseconds(tick.DeadlineNs);
            _imu.Header.Stamp.SetNanoseconds(tick.DeadlineNs);
            _odom.Header.Stamp.SetNanoseconds(tick.DeadlineNs);
            _jointPub.Publish(_joints);
            _imuPub.Publish(_imu);
            _odomPub.Publish(_odom);
        }
    }
}

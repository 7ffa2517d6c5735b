using Mlsh.Core;
using Mlsh.OnnxRuntime.Policies;
using Mlsh.Runtime.Configuration;
using Mlsh.Runtime.Control;
using Mlsh.Runtime.Tests.TestSupport;

namespace Mlsh.Runtime.Tests.Control;

/// <summary>
/// Policy inference on its own thread (<see cref="HierarchicalController.StartInferenceThread(TimeSpan, int?)"/>), with
/// the real ONNX Runtime sessions. The test drives <see cref="HierarchicalController.Update"/> itself and, where a test
/// is about what happens when a step is ready, waits for the inference thread after each cycle, so "ready at the next
/// cycle" holds by construction; how long a step takes in real time is measured by `./mlsh bench runtime`.
/// </summary>
public sealed class ThreadedInferenceTests : IDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(2);
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-runtime-infer-").FullName;
    private readonly List<IDisposable> _owned = [];

    private readonly List<HierarchicalController> _controllers = [];

    public void Dispose()
    {
        // Join the inference threads before their sessions go.
        foreach (var c in _controllers) c.StopInferenceThread();
        for (var i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private (HierarchicalController Controller, ScriptedHardware Hardware) Create(string modelsDir, Action<Dictionary<string, string>>? edit = null)
    {
        var p = TestParameters.Load(_dir, edit, modelsDir);
        // One bundle per controller: two controllers on two threads must not share ONNX Runtime bindings.
        var bundle = PolicyBundle.Load(p.ModelsDir, DeploymentContract.ExpectationsFor(p));
        _owned.Add(bundle);
        var hw = new ScriptedHardware(8);
        var ctl = new HierarchicalController(p, bundle, hw);
        _controllers.Add(ctl);
        return (ctl, hw);
    }

    private static void Threaded(HierarchicalController ctl, Action? beforeStep = null) => ctl.StartInferenceThread(Period, null, beforeStep);

    /// <summary>One cycle, then (threaded) wait until the step handed over in it has finished.</summary>
    private static void Cycle(HierarchicalController ctl)
    {
        ctl.Update();
        ctl.WaitForInference(StepTimeout).Should().BeTrue("the inference thread finishes a step within seconds");
    }

    /// <summary>A state that changes every cycle (so every observation differs), the same for both controllers.</summary>
    private static void Sway(ScriptedHardware hw, int cycle)
    {
        for (var i = 0; i < 8; i++)
        {
            hw.State.JointPositions[i] = QuadrupedBundle.DefaultPose[i] + 0.1 * Math.Sin(0.05 * cycle + i);
            hw.State.JointVelocities[i] = 0.5 * Math.Cos(0.05 * cycle + i);
        }
        hw.State.Position[0] = 0.001 * cycle;
        hw.State.AngularVelocity[2] = 0.2 * Math.Sin(0.01 * cycle);
    }

    [Fact]
    public void ThreadedInference_ProducesTheInlineActions_OneControlCycleLater_WithTheShippedModels()
    {
        var shipped = Path.Combine(MlshPaths.Root, "models", "quadruped");
        var (inline, hwInline) = Create(shipped);
        var (threaded, hwThreaded) = Create(shipped);
        Threaded(threaded);
        threaded.InferenceMode.Should().Be(PolicyInferenceMode.Thread);
        inline.InferenceMode.Should().Be(PolicyInferenceMode.Inline);
        // master_period 250 in the shipped manifest: five master ticks, 110 sub-policy steps, and an operator override.
        const int cycles = 1100;
        var targetsInline = new double[cycles][];
        var targetsThreaded = new double[cycles][];
        var effortsThreaded = new double[cycles][];
        var skillsInline = new int[cycles];
        var skillsThreaded = new int[cycles];
        for (var c = 0; c < cycles; c++)
        {
            if (c == 700)
            {
                var forced = (inline.Status.Read().ActiveSkill + 1) % 4;
                inline.Commands.ForceSkill(forced);
                threaded.Commands.ForceSkill(forced);
            }
            Sway(hwInline, c);
            Sway(hwThreaded, c);
            inline.Update();
            Cycle(threaded);
            targetsInline[c] = inline.JointPositionTargets.ToArray();
            targetsThreaded[c] = threaded.JointPositionTargets.ToArray();
            effortsThreaded[c] = threaded.Effort.ToArray();
            skillsInline[c] = inline.Status.Read().ActiveSkill;
            skillsThreaded[c] = threaded.Status.Read().ActiveSkill;
        }

        // Cycle 0 hands the first observation over and holds the zero action's targets (the default pose).
        targetsThreaded[0].Should().Equal(QuadrupedBundle.DefaultPose.Select(v => (double)v));
        targetsInline[0].Should().NotEqual(targetsThreaded[0], "inline applies the first action in its own cycle");
        for (var c = 0; c + 1 < cycles; c++)
        {
            targetsThreaded[c + 1].Should().Equal(targetsInline[c], "cycle {0}'s action applies at cycle {1} on the inference thread", c, c + 1);
            skillsThreaded[c + 1].Should().Be(skillsInline[c], "cycle {0}", c);
        }
        effortsThreaded.Should().OnlyContain(e => e.All(double.IsFinite));
        skillsInline.Distinct().Should().HaveCountGreaterThan(1, "the override changed the skill, so both paths were compared across a switch");

        var a = inline.Status.Read();
        var b = threaded.Status.Read();
        a.Mode.Should().Be(ControllerMode.Policy);
        b.Mode.Should().Be(ControllerMode.Policy);
        b.InferenceRequests.Should().Be(a.InferenceRequests).And.Be(cycles / QuadrupedBundle.Decimation);
        b.MasterTickRequests.Should().Be(a.MasterTicks).And.Be(5);
        b.SubPolicySteps.Should().Be(a.SubPolicySteps, "the last step (cycle 1090) was picked up at cycle 1091");
        b.ActionPickups.Should().Be(b.SubPolicySteps);
        b.ActionLatencyCycles.Should().Be(b.ActionPickups, "every action was picked up one cycle after its observation");
        a.ActionLatencyCycles.Should().Be(0, "inline actions apply in their own cycle");
        b.InferenceOverruns.Should().Be(0);
    }

    [Fact]
    public void NonFiniteActionFromTheInferenceThread_EntersSafeModeAtPickup_OneControlPeriodAfterItsObservation()
    {
        using var models = new QuadrupedBundle(seed: 3, infiniteSubPolicy: 2);
        var (ctl, hw) = Create(models.Dir);
        Threaded(ctl);
        ctl.Commands.ForceSkill(0);
        for (var i = 0; i < 20; i++) Cycle(ctl);
        ctl.Status.Read().Mode.Should().Be(ControllerMode.Policy, "the robot starts healthy");

        // The forced skill 2 (its output overflows to +Inf) takes over at the next master tick.
        ctl.Commands.ForceSkill(2);
        long postedAt = -1, safeAt = -1;
        for (var c = 0; c < 3 * QuadrupedBundle.MasterPeriod && safeAt < 0; c++)
        {
            var before = ctl.Status.Read();
            Cycle(ctl);
            var after = ctl.Status.Read();
            if (after.MasterTickRequests != before.MasterTickRequests) postedAt = after.Cycle;
            if (after.Mode == ControllerMode.Safe) safeAt = after.Cycle;
            hw.LastCommand.Should().OnlyContain(t => double.IsFinite(t), "no Inf target ever reaches a command");
        }

        safeAt.Should().BePositive("the Inf action must trip safe mode");
        (safeAt - postedAt).Should().Be(1, "the fault is seen at pickup, one control period after the observation was handed over (issue #6: within 2)");
        var s = ctl.Status.Read();
        s.Faults.Should().Be(SafetyFaults.NonFiniteAction);
        for (var i = 0; i < 8; i++)
        {
            var tau = Math.Clamp(20 * (QuadrupedBundle.DefaultPose[i] - hw.State.JointPositions[i]) - 1.0 * hw.State.JointVelocities[i], -15, 15);
            hw.LastCommand[i].Should().BeApproximately(tau, 1e-12, "joint {0} holds the default pose in safe mode", i);
        }

        // A finite skill recovers through a fresh master tick on the inference thread.
        ctl.Commands.ForceSkill(1);
        var ticks = s.MasterTicks;
        for (var i = 0; i < 3; i++) Cycle(ctl);
        s = ctl.Status.Read();
        s.Mode.Should().Be(ControllerMode.Policy);
        s.ActiveSkill.Should().Be(1);
        s.MasterTicks.Should().Be(ticks + 1, "a recovery starts with a master tick");
    }

    [Fact]
    public void SlowInference_CountsAnOverrunPerBoundary_HoldsTheTargets_ThenEntersSafeModeAtTheLimit_AndRecoversWhenTheStepEnds()
    {
        using var models = new QuadrupedBundle(seed: 5);
        var (ctl, _) = Create(models.Dir, v => v["inference_overrun_limit"] = "3");
        // The timing double: the step waits for this gate before its (real) ONNX Runtime runs.
        using var gate = new ManualResetEventSlim(true);
        Threaded(ctl, () => gate.Wait());
        for (var i = 0; i < 2 * QuadrupedBundle.MasterPeriod; i++) Cycle(ctl);
        ctl.Status.Read().Mode.Should().Be(ControllerMode.Policy);

        gate.Reset();
        // Run to the next boundary: it posts a step that now blocks.
        var requests = ctl.Status.Read().InferenceRequests;
        while (ctl.Status.Read().InferenceRequests == requests) ctl.Update();
        var held = ctl.JointPositionTargets.ToArray();

        for (var overrun = 1; overrun <= 2; overrun++)
        {
            for (var i = 0; i < QuadrupedBundle.Decimation; i++) ctl.Update();
            var s = ctl.Status.Read();
            s.InferenceOverruns.Should().Be(overrun);
            s.Mode.Should().Be(ControllerMode.Policy, "overrun {0} is below inference_overrun_limit 3: the targets hold", overrun);
            ctl.JointPositionTargets.ToArray().Should().Equal(held);
        }
        for (var i = 0; i < QuadrupedBundle.Decimation; i++) ctl.Update();
        var stalled = ctl.Status.Read();
        stalled.InferenceOverruns.Should().Be(3);
        stalled.Mode.Should().Be(ControllerMode.Safe);
        stalled.Faults.Should().Be(SafetyFaults.InferenceOverrun);
        for (var i = 0; i < 25; i++) ctl.Update();
        ctl.Status.Read().Faults.Should().Be(SafetyFaults.InferenceOverrun, "safe mode holds while the step is still running");
        ctl.Status.Read().InferenceOverruns.Should().Be(3, "safe mode posts no steps, so counts no more overruns");

        gate.Set();
        ctl.WaitForInference(StepTimeout).Should().BeTrue();
        var ticks = ctl.Status.Read().MasterTicks;
        for (var i = 0; i < 3; i++) Cycle(ctl);
        var recovered = ctl.Status.Read();
        recovered.Mode.Should().Be(ControllerMode.Policy, "the fault clears once the inference thread is free (recovery_cycles 1)");
        recovered.MasterTicks.Should().Be(ticks + 1, "the blocked step was discarded and the new episode starts with a master tick");
        recovered.SafeModeEntries.Should().Be(1);
    }

    [Fact]
    public void ThreadedInference_AllocatesNothing_OnTheControlThreadOrTheInferenceThread_Over10000Cycles()
    {
        using var models = new QuadrupedBundle(seed: 7);
        var (ctl, hw) = Create(models.Dir);
        Threaded(ctl);
        for (var i = 0; i < 500; i++) Cycle(ctl);

        var worker = ctl.InferenceWorker!;
        var inferenceBefore = worker.AllocatedBytes;
        var stepsBefore = worker.Completed;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            // Exercise safe mode and recovery too: a joint-state dropout every 1000 cycles.
            hw.DeliverJointState = i % 1000 >= 10;
            ctl.Update();
            ctl.WaitForInference(StepTimeout);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().Be(0, "the control thread's cycles allocate nothing");
        (worker.Completed - stepsBefore).Should().BeGreaterThan(900, "the inference thread ran the steps");
        (worker.AllocatedBytes - inferenceBefore).Should().Be(0, "the inference thread's steps allocate nothing");
        ctl.Status.Read().SafeModeEntries.Should().BeGreaterThan(0, "the dropouts must have exercised safe mode");
        ctl.Status.Read().InferenceOverruns.Should().Be(0);
    }

    [Fact]
    public void StopInferenceThread_JoinsTheThread_AndLaterStepsRunInline()
    {
        using var models = new QuadrupedBundle(seed: 9);
        var (ctl, _) = Create(models.Dir);
        Threaded(ctl);
        for (var i = 0; i < 30; i++) Cycle(ctl);
        var worker = ctl.InferenceWorker!;
        worker.IsAlive.Should().BeTrue();

        ctl.StopInferenceThread();

        worker.IsAlive.Should().BeFalse();
        ctl.InferenceMode.Should().Be(PolicyInferenceMode.Inline);
        var steps = ctl.Status.Read().SubPolicySteps;
        for (var i = 0; i < QuadrupedBundle.Decimation; i++) ctl.Update();
        ctl.Status.Read().SubPolicySteps.Should().Be(steps + 1, "the next decimation cycle ran its step inline");
        ctl.Status.Read().Mode.Should().Be(ControllerMode.Policy);
    }
}

using Mlsh.OnnxRuntime.Policies;
using Mlsh.Runtime.Configuration;
using Mlsh.Runtime.Control;
using Mlsh.Runtime.Tests.TestSupport;

namespace Mlsh.Runtime.Tests.Control;

/// <summary>Each safety function driven with synthetic state through the hardware-interface contract.</summary>
public sealed class SafetyTests : IDisposable
{
    private readonly QuadrupedBundle _models = new(seed: 3, infiniteSubPolicy: 2);
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-runtime-safety-").FullName;
    private PolicyBundle? _bundle;

    public void Dispose()
    {
        _bundle?.Dispose();
        _models.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private (HierarchicalController, ScriptedHardware) Create(Action<Dictionary<string, string>>? edit = null)
    {
        var p = TestParameters.Load(_dir, edit, _models.Dir);
        _bundle = PolicyBundle.Load(p.ModelsDir, DeploymentContract.ExpectationsFor(p));
        var hw = new ScriptedHardware(8);
        var ctl = new HierarchicalController(p, _bundle, hw);
        ctl.Commands.ForceSkill(0); // sub-policy 2 overflows; keep to the finite ones unless a test asks
        for (var i = 0; i < 20; i++) ctl.Update();
        ctl.Status.Read().Mode.Should().Be(ControllerMode.Policy, "the robot starts healthy");
        return (ctl, hw);
    }

    /// <summary>Expected safe-mode effort: kp_s (q_default − q) − kd_s q̇ (20, 1), clamped to max_effort_nm 15.</summary>
    private static void ShouldHoldDefaultPoseWithDamping(ScriptedHardware hw)
    {
        for (var i = 0; i < 8; i++)
        {
            var tau = Math.Clamp(20 * (QuadrupedBundle.DefaultPose[i] - hw.State.JointPositions[i]) - 1.0 * hw.State.JointVelocities[i], -15, 15);
            hw.LastCommand[i].Should().BeApproximately(tau, 1e-12, $"joint {i} safe-mode effort");
        }
    }

    [Fact]
    public void StaleJointState_EntersSafeModeWithZeroEffort_OnceOlderThanTheTimeout_AndRecoversWhenFreshStateReturns()
    {
        var (ctl, hw) = Create(v => v["recovery_cycles"] = "3");
        hw.DeliverJointState = false;

        for (var i = 1; i <= 5; i++)
        {
            ctl.Update();
            ctl.Status.Read().Mode.Should().Be(ControllerMode.Policy, $"age {i} is within joint_states_timeout_cycles 5");
        }
        ctl.Update();
        var s = ctl.Status.Read();
        s.Mode.Should().Be(ControllerMode.Safe);
        s.Faults.Should().Be(SafetyFaults.JointStateStale);
        hw.LastCommand.Should().OnlyContain(t => t == 0.0, "no damping on a stale velocity");

        // The simulator restarts: fresh state again.
        hw.DeliverJointState = true;
        ctl.Update();
        ctl.Update();
        ctl.Status.Read().Mode.Should().Be(ControllerMode.Safe, "recovery_cycles 3 clear cycles are required");
        ShouldHoldDefaultPoseWithDamping(hw);
        ctl.Update();
        s = ctl.Status.Read();
        s.Mode.Should().Be(ControllerMode.Policy);
        s.SafeModeEntries.Should().Be(1);
        s.FaultHistory.Should().HaveFlag(SafetyFaults.JointStateStale);
    }

    [Fact]
    public void ImuAndOdometryWatchdogs_TripSafeMode()
    {
        var (ctl, hw) = Create();
        hw.DeliverImu = false;
        for (var i = 0; i < 6; i++) ctl.Update();
        ctl.Status.Read().Faults.Should().Be(SafetyFaults.ImuStale);
        ShouldHoldDefaultPoseWithDamping(hw);

        hw.DeliverImu = true;
        hw.DeliverOdom = false;
        for (var i = 0; i < 21; i++) ctl.Update();
        ctl.Status.Read().Faults.Should().Be(SafetyFaults.OdomStale);
    }

    [Fact]
    public void NaNInTheState_EntersSafeModeInTheSameCycle()
    {
        var (ctl, hw) = Create();
        hw.State.LinearVelocity[1] = double.NaN;

        ctl.Update();

        ctl.Status.Read().Faults.Should().Be(SafetyFaults.NonFiniteObservation);
        ctl.Status.Read().Mode.Should().Be(ControllerMode.Safe);
        ShouldHoldDefaultPoseWithDamping(hw);
        hw.LastCommand.Should().OnlyContain(t => double.IsFinite(t));
    }

    [Fact]
    public void InfiniteSubPolicyOutput_EntersSafeModeInTheSameCycle_AndTheOtherSkillsStillRun()
    {
        var (ctl, hw) = Create();
        ctl.Commands.ForceSkill(2);
        // Run to the next master tick, where the forced skill takes over and its first action is Inf.
        var ticks = ctl.Status.Read().MasterTicks;
        while (ctl.Status.Read().MasterTicks == ticks && ctl.Status.Read().Mode == ControllerMode.Policy) ctl.Update();

        var s = ctl.Status.Read();
        s.Mode.Should().Be(ControllerMode.Safe);
        s.Faults.Should().Be(SafetyFaults.NonFiniteAction);
        ShouldHoldDefaultPoseWithDamping(hw);

        ctl.Commands.ForceSkill(1);
        ctl.Update();
        ctl.Status.Read().Mode.Should().Be(ControllerMode.Policy);
        ctl.Status.Read().ActiveSkill.Should().Be(1);
    }

    [Theory]
    [InlineData(0.7, 0.0)]
    [InlineData(0.0, -0.7)]
    public void RollOrPitchBeyondTheLimit_EntersSafeMode(double roll, double pitch)
    {
        var (ctl, hw) = Create();
        // q = qz(0)·qy(pitch)·qx(roll), w-first.
        double cr = Math.Cos(roll / 2), sr = Math.Sin(roll / 2), cp = Math.Cos(pitch / 2), sp = Math.Sin(pitch / 2);
        double[] q = [cr * cp, sr * cp, cr * sp, -sr * sp];
        q.CopyTo(hw.State.Orientation, 0);

        ctl.Update();

        ctl.Status.Read().Faults.Should().Be(SafetyFaults.TiltLimit);
        ShouldHoldDefaultPoseWithDamping(hw);
        HierarchicalController.RollPitch(q).Roll.Should().BeApproximately(roll, 1e-12);
        HierarchicalController.RollPitch(q).Pitch.Should().BeApproximately(pitch, 1e-12);
    }

    [Fact]
    public void JointFasterThanTheLimit_EntersSafeMode()
    {
        var (ctl, hw) = Create();
        hw.State.JointVelocities[3] = -16;

        ctl.Update();

        ctl.Status.Read().Faults.Should().Be(SafetyFaults.JointVelocityLimit);
        ShouldHoldDefaultPoseWithDamping(hw);
    }

    [Fact]
    public void EmergencyStop_HoldsSafeModeUntilResume()
    {
        var (ctl, hw) = Create();

        ctl.Commands.EmergencyStop();
        for (var i = 0; i < 100; i++)
        {
            ctl.Update();
            ctl.Status.Read().Faults.Should().Be(SafetyFaults.EmergencyStop);
        }
        ShouldHoldDefaultPoseWithDamping(hw);

        ctl.Commands.Resume();
        ctl.Update();
        ctl.Status.Read().Mode.Should().Be(ControllerMode.Policy);
    }

    [Fact]
    public void NoStateYet_IsSafeModeWithZeroEffort()
    {
        var p = TestParameters.Load(_dir, null, _models.Dir);
        _bundle = PolicyBundle.Load(p.ModelsDir, DeploymentContract.ExpectationsFor(p));
        var hw = new ScriptedHardware(8) { DeliverJointState = false, DeliverImu = false, DeliverOdom = false };
        var ctl = new HierarchicalController(p, _bundle, hw);

        ctl.Update();

        ctl.Status.Read().Faults.Should().Be(SafetyFaults.JointStateStale | SafetyFaults.ImuStale | SafetyFaults.OdomStale);
        hw.LastCommand.Should().OnlyContain(t => t == 0.0);
    }
}

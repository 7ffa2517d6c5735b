using Mlsh.Environments.Observations;
using Mlsh.Environments.Robots;
using Mlsh.Onnx.Graph;
using Mlsh.OnnxRuntime.Policies;
using Mlsh.Runtime.Configuration;
using Mlsh.Runtime.Control;
using Mlsh.Runtime.Tests.TestSupport;

namespace Mlsh.Runtime.Tests.Control;

public sealed class HierarchicalControllerTests : IDisposable
{
    private readonly QuadrupedBundle _models = new(seed: 7);
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-runtime-ctl-").FullName;

    public void Dispose()
    {
        _models.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private (HierarchicalController Controller, ScriptedHardware Hardware, PolicyBundle Bundle) Create(Action<Dictionary<string, string>>? edit = null)
    {
        var p = TestParameters.Load(_dir, edit, _models.Dir);
        var bundle = PolicyBundle.Load(p.ModelsDir, DeploymentContract.ExpectationsFor(p));
        var hw = new ScriptedHardware(8);
        return (new HierarchicalController(p, bundle, hw), hw, bundle);
    }

    private static float[] ExpectedObservation(ScriptedHardware hw, ReadOnlySpan<float> previousAction)
    {
        var builder = new ObservationBuilder(DeploymentContract.LayoutFor(8), QuadrupedBundle.DefaultPose.Select(v => (double)v).ToArray());
        var obs = new float[builder.Layout.Size];
        builder.Build(new RobotState
        {
            BasePosition = hw.State.Position,
            BaseOrientation = hw.State.Orientation,
            BaseLinearVelocity = hw.State.LinearVelocity,
            BaseAngularVelocity = hw.State.AngularVelocity,
            LinearAcceleration = hw.State.LinearAcceleration,
            JointPositions = hw.State.JointPositions,
            JointVelocities = hw.State.JointVelocities,
            PreviousAction = previousAction,
        }, obs);
        return obs;
    }

    [Fact]
    public void Update_FirstPolicyCycle_PicksMastersArgmaxAndTracksItsSubPolicyTargetsWithTheTrainingPdLaw()
    {
        var (ctl, hw, bundle) = Create();
        using var _ = bundle;

        ctl.Update();

        var obs = ExpectedObservation(hw, new float[8]);
        var logits = new float[QuadrupedBundle.SubPolicyCount];
        new PolicyForward(_models.Master).Evaluate(obs, logits);
        var skill = Array.IndexOf(logits, logits.Max());
        var status = ctl.Status.Read();
        status.Mode.Should().Be(ControllerMode.Policy);
        status.ActiveSkill.Should().Be(skill);
        ctl.Observation.ToArray().Should().Equal(obs);

        var targets = new float[8];
        new PolicyForward(_models.SubPolicies[skill]).Evaluate(obs, targets);
        double[] pose = [.. QuadrupedBundle.DefaultPose.Select(v => (double)v)];
        var actions = targets.Select((t, i) => JointPdLaw.TargetToAction(t, pose[i], 0.6)).ToArray();
        var qT = new double[8];
        var qdT = new double[8];
        JointPdLaw.ActionsToTargets(Environments.Robots.ControlMode.Position, actions, pose, Enumerable.Repeat(0.6, 8).ToArray(),
            [-0.7, 0.2, -0.7, 0.2, -0.7, 0.2, -0.7, 0.2], [0.7, 1.6, 0.7, 1.6, 0.7, 1.6, 0.7, 1.6], qT, qdT);
        for (var i = 0; i < 8; i++)
        {
            var tau = Math.Clamp(60 * (qT[i] - hw.State.JointPositions[i]) - 1.5 * hw.State.JointVelocities[i], -15, 15);
            hw.LastCommand[i].Should().BeApproximately(tau, 1e-3, $"joint {i} effort = PD law on sub-policy {skill}'s target, clamped to max_effort_nm");
        }
    }

    [Fact]
    public void Update_RunsSubPolicyEveryDecimationCycles_AndMasterEveryMasterPeriod()
    {
        var (ctl, _, bundle) = Create();
        using var _b = bundle;

        for (var i = 0; i < 200; i++) ctl.Update();

        var s = ctl.Status.Read();
        s.Cycle.Should().Be(200);
        s.SubPolicySteps.Should().Be(200 / QuadrupedBundle.Decimation);
        s.MasterTicks.Should().Be(200 / QuadrupedBundle.MasterPeriod);
    }

    [Fact]
    public void ForceSkill_OverridesTheMastersChoice_AtTheNextMasterTick()
    {
        var (ctl, _, bundle) = Create();
        using var _b = bundle;
        ctl.Update();
        var chosen = ctl.Status.Read().ActiveSkill;
        var forced = (chosen + 1) % QuadrupedBundle.SubPolicyCount;

        ctl.Commands.ForceSkill(forced);
        for (var i = 1; i < QuadrupedBundle.MasterPeriod; i++) ctl.Update();
        ctl.Status.Read().ActiveSkill.Should().Be(chosen, "the override waits for the next master tick");
        ctl.Update();

        ctl.Status.Read().ActiveSkill.Should().Be(forced);
        ctl.Status.Read().SkillForced.Should().BeTrue();
    }

    [Fact]
    public void Update_AllocatesNothing_Over10000Cycles()
    {
        var (ctl, hw, bundle) = Create();
        using var _b = bundle;
        for (var i = 0; i < 500; i++) ctl.Update();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            // Exercise the safe-mode path too: a joint-state dropout every 1000 cycles.
            hw.DeliverJointState = i % 1000 >= 10;
            ctl.Update();
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().Be(0);
        ctl.Status.Read().SafeModeEntries.Should().BeGreaterThan(0, "the dropouts must have exercised safe mode");
    }

    [Fact]
    public void Efforts_AreClampedToMaxEffort_WhenThePdLawAsksForMore()
    {
        var (ctl, hw, bundle) = Create();
        using var _b = bundle;
        // Joints far from any reachable target: kp 60 x 1 rad = 60 N m requested.
        for (var i = 0; i < 8; i++) hw.State.JointPositions[i] = i % 2 == 0 ? 1.7 : -0.5;
        hw.State.JointVelocities.AsSpan().Clear();
        hw.State.Orientation[0] = 1;

        ctl.Update();

        ctl.Status.Read().Mode.Should().Be(ControllerMode.Policy);
        hw.LastCommand.Should().OnlyContain(t => Math.Abs(t) <= 15.0 + 1e-12);
        hw.LastCommand.Should().Contain(t => Math.Abs(t) == 15.0, "at least one joint saturates");
    }

    [Fact]
    public void JointTargets_StayInsideTheConfiguredPositionLimits()
    {
        var (ctl, _, bundle) = Create(v =>
        {
            v["joint_position_lower"] = "[-0.01, 0.99, -0.01, 0.99, -0.01, 0.99, -0.01, 0.99]";
            v["joint_position_upper"] = "[0.01, 1.01, 0.01, 1.01, 0.01, 1.01, 0.01, 1.01]";
        });
        using var _b = bundle;

        for (var c = 0; c < 100; c++)
        {
            ctl.Update();
            var t = ctl.JointPositionTargets;
            for (var i = 0; i < 8; i++) t[i].Should().BeInRange(QuadrupedBundle.DefaultPose[i] - 0.01, QuadrupedBundle.DefaultPose[i] + 0.01);
        }
    }
}

namespace Mlsh.MuJoCo.Tests;

public class MjDataTests
{
    [Fact]
    public void Spans_HaveTheModelsLengths()
    {
        using var model = MjModel.FromXmlString(TestModels.FreeBody);
        using var data = model.CreateData();

        data.Qpos.Length.Should().Be(8);
        data.Qvel.Length.Should().Be(7);
        data.Ctrl.Length.Should().Be(1);
        data.Act.Length.Should().Be(0);
        data.QfrcApplied.Length.Should().Be(7);
        data.XfrcApplied.Length.Should().Be(3 * 6);
        data.Sensordata.Length.Should().Be(3);
        data.Xpos.Length.Should().Be(3 * 3);
        data.Xquat.Length.Should().Be(3 * 4);
        data.Xmat.Length.Should().Be(3 * 9);
        data.Cvel.Length.Should().Be(3 * 6);
        data.Cacc.Length.Should().Be(3 * 6);
        data.Qacc.Length.Should().Be(7);
        data.ActuatorForce.Length.Should().Be(1);
        data.SiteXpos.Length.Should().Be(3);
        data.GeomXpos.Length.Should().Be(3 * 3);
        data.MocapPos.Length.Should().Be(0);
    }

    [Fact]
    public void NewData_StartsAtQpos0()
    {
        using var model = MjModel.FromXmlString(TestModels.FreeBody);
        using var data = model.CreateData();

        data.Qpos.ToArray().Should().Equal(model.Qpos0.ToArray());
        data.Time.Should().Be(0);
    }

    [Fact]
    public void Ctrl_WritesThrough_AndTheStepAppliesIt()
    {
        using var model = MjModel.FromXmlString(TestModels.Pendulum);
        using var pushed = model.CreateData();
        using var idle = model.CreateData();

        pushed.Ctrl[0] = 1.5;
        for (var i = 0; i < 50; i++) { pushed.Step(); idle.Step(); }

        pushed.ActuatorForce[0].Should().Be(1.5);
        pushed.Qvel[0].Should().BeGreaterThan(0.1, "a positive torque about +y accelerates the hinge positively");
        idle.Qvel[0].Should().Be(0, "hanging straight down at rest with no torque, nothing moves");
        pushed.Time.Should().BeApproximately(50 * 0.002, 1e-12);
    }

    [Fact]
    public void Ctrl_IsClampedToCtrlRange_ByMuJoCo()
    {
        using var model = MjModel.FromXmlString(TestModels.Pendulum);
        using var data = model.CreateData();

        data.Ctrl[0] = 100;
        data.Step();

        data.ActuatorForce[0].Should().Be(2, "ctrlrange is [-2, 2]");
    }

    [Fact]
    public void Forward_ComputesBodyAndSitePositionsAndSensors_FromQpos()
    {
        using var model = MjModel.FromXmlString(TestModels.Pendulum);
        using var data = model.CreateData();

        data.Qpos[0] = Math.PI / 2; // rotate +90° about +y: the pole (pointing -z) now points -x
        data.Forward();

        var tip = data.SiteXpos;
        tip[0].Should().BeApproximately(-0.5, 1e-12);
        tip[1].Should().BeApproximately(0.0, 1e-12);
        tip[2].Should().BeApproximately(1.0, 1e-12);
        data.Xpos.Slice(3, 3).ToArray().Should().Equal(0, 0, 1);
        data.Sensordata[model.SensorAdr[model.SensorId("hinge_pos")]].Should().Be(Math.PI / 2);
        data.Sensordata.Slice(model.SensorAdr[2], 3).ToArray().Should().Equal(tip.ToArray());
        data.Time.Should().Be(0, "forward does not advance time");
    }

    [Fact]
    public void Step_ComputesCvelAndCacc_ForAFallingBody()
    {
        using var model = MjModel.FromXmlString(TestModels.FreeBody);
        using var data = model.CreateData();

        data.Step(20);

        var box = model.BodyId("box");
        data.Qpos[2].Should().BeLessThan(1.0, "the box falls");
        data.Cvel[6 * box + 5].Should().BeLessThan(0, "linear z velocity is downwards");
        // The accelerometer makes MuJoCo compute cacc; free fall shows as ~zero proper acceleration.
        data.Cacc[6 * box + 5].Should().BeApproximately(0, 1e-6);
        data.Sensordata[2].Should().BeApproximately(0, 1e-6);
    }

    [Fact]
    public void Reset_RestoresTheInitialState()
    {
        using var model = MjModel.FromXmlString(TestModels.Pendulum);
        using var data = model.CreateData();
        data.Ctrl[0] = 1;
        data.Step(100);
        data.Qpos[0].Should().NotBe(0);

        data.Reset();

        data.Qpos.ToArray().Should().Equal(0);
        data.Qvel.ToArray().Should().Equal(0);
        data.Ctrl.ToArray().Should().Equal(0);
        data.Time.Should().Be(0);
    }

    [Fact]
    public void ResetToKeyframe_AppliesTheKeyframe_ByNameOrIndex()
    {
        using var model = MjModel.FromXmlString(TestModels.Pendulum);
        using var data = model.CreateData();
        data.Step(10);

        data.ResetToKeyframe("tilted");
        data.Qpos[0].Should().Be(0.5);
        data.Time.Should().Be(0);

        data.Qpos[0] = 0;
        data.ResetToKeyframe(0);
        data.Qpos[0].Should().Be(0.5);

        var bad = () => data.ResetToKeyframe(1);
        bad.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*1 keyframes*");
        var unknown = () => data.ResetToKeyframe("upright");
        unknown.Should().Throw<MjNameNotFoundException>();
    }

    [Fact]
    public void ResetToHome_UsesTheFirstKeyframe_OrTheDefaultStateWithoutOne()
    {
        using var pendulum = MjModel.FromXmlString(TestModels.Pendulum);
        using var withKey = pendulum.CreateData();
        withKey.ResetToHome();
        withKey.Qpos[0].Should().Be(0.5);

        using var free = MjModel.FromXmlString(TestModels.FreeBody);
        using var withoutKey = free.CreateData();
        withoutKey.Step(5);
        withoutKey.ResetToHome();
        withoutKey.Qpos.ToArray().Should().Equal(free.Qpos0.ToArray());
    }

    [Fact]
    public void Step_IsDeterministic_ForTwoDatasWithTheSameControlSequence()
    {
        using var model = MjModel.FromXmlString(TestModels.FreeBody);
        using var a = model.CreateData();
        using var b = model.CreateData();

        for (var i = 0; i < 400; i++)
        {
            var u = Math.Sin(0.05 * i);
            a.Ctrl[0] = u;
            b.Ctrl[0] = u;
            a.Step();
            b.Step();
        }

        a.Qpos.ToArray().Should().Equal(b.Qpos.ToArray(), "bit-identical, not merely close");
        a.Qvel.ToArray().Should().Equal(b.Qvel.ToArray());
        a.Qpos[2].Should().BeLessThan(0.2, "the box has landed, so contacts were part of the trajectory");
    }

    [Fact]
    public void CopyStateFrom_MakesTheCopyContinueBitIdentically()
    {
        using var model = MjModel.FromXmlString(TestModels.FreeBody);
        using var source = model.CreateData();
        using var copy = model.CreateData();
        for (var i = 0; i < 150; i++) { source.Ctrl[0] = Math.Cos(0.1 * i); source.Step(); }

        copy.CopyStateFrom(source);
        copy.Time.Should().Be(source.Time);
        for (var i = 0; i < 200; i++)
        {
            source.Ctrl[0] = copy.Ctrl[0] = Math.Sin(0.07 * i);
            source.Step();
            copy.Step();
        }

        copy.Qpos.ToArray().Should().Equal(source.Qpos.ToArray());
        copy.Qvel.ToArray().Should().Equal(source.Qvel.ToArray());
    }

    [Fact]
    public void CopyStateFrom_Throws_ForADataOfAnotherModel()
    {
        using var m1 = MjModel.FromXmlString(TestModels.Pendulum);
        using var m2 = MjModel.FromXmlString(TestModels.Pendulum);
        using var d1 = m1.CreateData();
        using var d2 = m2.CreateData();

        var act = () => d1.CopyStateFrom(d2);

        act.Should().Throw<ArgumentException>().WithMessage("*cannot copy state*");
    }

    [Fact]
    public void Clone_CopiesTheWholeData()
    {
        using var model = MjModel.FromXmlString(TestModels.Pendulum);
        using var data = model.CreateData();
        data.Ctrl[0] = 1;
        data.Step(30);

        using var clone = data.Clone();

        clone.Qpos.ToArray().Should().Equal(data.Qpos.ToArray());
        clone.Time.Should().Be(data.Time);
        clone.SiteXpos.ToArray().Should().Equal(data.SiteXpos.ToArray());
        clone.Qpos[0] = 0;
        data.Qpos[0].Should().NotBe(0, "the clone owns separate memory");
    }

    [Fact]
    public void Step_ThrowsObjectDisposed_AfterDispose()
    {
        using var model = MjModel.FromXmlString(TestModels.Pendulum);
        var data = model.CreateData();
        data.Dispose();

        var act = () => data.Step();

        act.Should().Throw<ObjectDisposedException>().WithMessage("*xml string*");
        ((Action)(() => _ = data.Qpos.Length)).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void TryStep_RejectsNegativeStepCount()
    {
        using var model = MjModel.FromXmlString(TestModels.Pendulum);
        using var data = model.CreateData();

        var act = () => data.TryStep(-1);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}

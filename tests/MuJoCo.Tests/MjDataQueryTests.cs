namespace Mlsh.MuJoCo.Tests;

public class MjDataQueryTests
{
    [Fact]
    public void GetContact_ReportsTheFloorContactOfALandedBox()
    {
        using var model = MjModel.FromXmlString(TestModels.FreeBody);
        using var data = model.CreateData();
        data.Step(400); // 2 s: fallen 0.9 m and settled

        data.ContactCount.Should().BeGreaterThan(0);
        var c = data.GetContact(0);
        new[] { c.Geom1, c.Geom2 }.Should().BeEquivalentTo(new[] { model.GeomId("floor"), model.GeomId("box_geom") });
        c.Distance.Should().BeInRange(-0.01, 0.001);
        c.PosZ.Should().BeApproximately(0, 0.01);
        Math.Abs(c.NormalZ).Should().BeApproximately(1, 1e-9, "the floor normal is vertical");
        var outOfRange = () => data.GetContact(data.ContactCount);
        outOfRange.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*contacts*");
    }

    [Fact]
    public void BodyXposAndXquat_AreSlicesOfTheBodyArrays()
    {
        using var model = MjModel.FromXmlString(TestModels.FreeBody);
        using var data = model.CreateData();
        data.Forward();

        var box = model.BodyId("box");
        data.BodyXpos(box).ToArray().Should().Equal(0, 0, 1);
        data.BodyXquat(box).ToArray().Should().Equal(1, 0, 0, 0);
        data.BodyXpos(model.BodyId("arm")).ToArray().Should().Equal(0.2, 0, 1);
        Action bad = () => data.BodyXpos(3);
        bad.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*3 body objects*");
    }

    [Fact]
    public void SensorReading_ReturnsThatSensorsValues()
    {
        using var model = MjModel.FromXmlString(TestModels.Pendulum);
        using var data = model.CreateData();
        data.Qpos[0] = 0.3;
        data.Qvel[0] = -0.7;
        data.Forward();

        data.SensorReading(model.SensorId("hinge_pos")).ToArray().Should().Equal(0.3);
        data.SensorReading(model.SensorId("hinge_vel")).ToArray().Should().Equal(-0.7);
        data.SensorReading(model.SensorId("tip_pos")).ToArray().Should().Equal(data.SiteXpos.ToArray());
    }

    [Fact]
    public void WarningCount_CountsContactOverflow()
    {
        // nconmax=1 with a box resting on the floor (4 corner contacts) overflows the contact list.
        using var model = MjModel.FromXmlString(TestModels.FreeBody.Replace("<option timestep=\"0.005\"/>", "<option timestep=\"0.005\"/><size nconmax=\"1\"/>"));
        using var data = model.CreateData();

        data.WarningCount(MjWarning.ContactFull).Should().Be(0);
        data.Step(400);

        data.WarningCount(MjWarning.ContactFull).Should().BeGreaterThan(0);
        data.ContactCount.Should().Be(1);
        var bad = () => data.WarningCount((MjWarning)8);
        bad.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void DatasOfOneModel_SteppedInParallel_MatchSerialStepping()
    {
        using var model = MjModel.FromXmlString(TestModels.FreeBody);
        static double[] Run(MjModel m, int seed)
        {
            using var d = m.CreateData();
            for (var i = 0; i < 300; i++) { d.Ctrl[0] = Math.Sin(0.03 * i + seed); d.Step(); }
            return d.Qpos.ToArray();
        }
        var serial = Enumerable.Range(0, 4).Select(s => Run(model, s)).ToArray();

        var parallel = new double[4][];
        Parallel.For(0, 4, s => parallel[s] = Run(model, s));

        for (var s = 0; s < 4; s++) parallel[s].Should().Equal(serial[s], "MuJoCo keeps no global simulation state");
    }
}

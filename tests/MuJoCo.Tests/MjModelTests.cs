namespace Mlsh.MuJoCo.Tests;

public class MjModelTests
{
    [Fact]
    public void FromXmlString_CompilesModel_WithExpectedSizes()
    {
        using var model = MjModel.FromXmlString(TestModels.FreeBody);

        model.Nq.Should().Be(8, "free joint (7) + slider (1)");
        model.Nv.Should().Be(7, "free joint (6) + slider (1)");
        model.Nu.Should().Be(1);
        model.Na.Should().Be(0);
        model.NBody.Should().Be(3, "world, box, arm");
        model.NJnt.Should().Be(2);
        model.NSensor.Should().Be(1);
        model.NSensorData.Should().Be(3);
        model.Timestep.Should().Be(0.005);
        model.Source.Should().Be("<xml string>");
    }

    [Fact]
    public void FromXmlFile_CompilesModel_AndRemembersItsPath()
    {
        var dir = Directory.CreateTempSubdirectory("mlsh-mj-");
        try
        {
            var path = Path.Combine(dir.FullName, "pendulum.xml");
            File.WriteAllText(path, TestModels.Pendulum);

            using var model = MjModel.FromXmlFile(path);

            model.Nq.Should().Be(1);
            model.Source.Should().Be(path);
            model.Names(MjObjectType.Joint).Should().Equal("hinge");
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void FromXmlFile_ThrowsLoadException_WithMuJoCosMessageAndTheFileName()
    {
        var dir = Directory.CreateTempSubdirectory("mlsh-mj-");
        try
        {
            var path = Path.Combine(dir.FullName, "broken.xml");
            File.WriteAllText(path, "<mujoco><worldbody><bogus_element/></worldbody></mujoco>");

            var act = () => MjModel.FromXmlFile(path);

            var ex = act.Should().Throw<MjLoadException>().Which;
            ex.NativeMessage.Should().Contain("unrecognized element", "MuJoCo's own schema error text is passed through");
            ex.Message.Should().Contain(path).And.Contain(ex.NativeMessage);
            ex.FunctionName.Should().Be("mj_loadXML");
            ex.ModelSource.Should().Be(path);
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void FromXmlFile_ThrowsLoadException_WhenFileIsMissing()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mlsh-missing-{Guid.NewGuid():N}.xml");

        var act = () => MjModel.FromXmlFile(path);

        act.Should().Throw<MjLoadException>().WithMessage($"*{path}*file not found*");
    }

    [Fact]
    public void FromXmlString_ThrowsLoadException_WithMuJoCosCompilerMessage()
    {
        // A motor on a joint that does not exist passes the schema but fails compilation.
        const string xml = """
            <mujoco><worldbody><body><joint name="j"/><geom size="0.1"/></body></worldbody>
            <actuator><motor joint="no_such_joint"/></actuator></mujoco>
            """;

        var act = () => MjModel.FromXmlString(xml, sourceLabel: "inline-test");

        var ex = act.Should().Throw<MjLoadException>().Which;
        ex.NativeMessage.Should().Contain("no_such_joint");
        ex.Message.Should().Contain("inline-test");
    }

    [Fact]
    public void FromXmlString_ResolvesIncludedFiles_FromInMemoryAssets()
    {
        const string main = """
            <mujoco><include file="body.xml"/></mujoco>
            """;
        const string included = """
            <mujoco><worldbody><body name="b"><joint name="j"/><geom size="0.1"/></body></worldbody></mujoco>
            """;
        var assets = new Dictionary<string, byte[]> { ["body.xml"] = System.Text.Encoding.UTF8.GetBytes(included) };

        using var model = MjModel.FromXmlString(main, assets);

        model.BodyId("b").Should().Be(1);
    }

    [Fact]
    public void NameToId_ReturnsIdsOfNamedObjects_ForEveryObjectType()
    {
        using var model = MjModel.FromXmlString(TestModels.Pendulum);

        model.BodyId("pole").Should().Be(1);
        model.JointId("hinge").Should().Be(0);
        model.GeomId("pole_geom").Should().Be(0);
        model.SiteId("tip").Should().Be(0);
        model.ActuatorId("torque").Should().Be(0);
        model.SensorId("tip_pos").Should().Be(2);
        model.NameToId(MjObjectType.Keyframe, "tilted").Should().Be(0);
        model.IdToName(MjObjectType.Sensor, 1).Should().Be("hinge_vel");
        model.Names(MjObjectType.Body).Should().Equal("world", "pole");
    }

    [Fact]
    public void NameToId_ThrowsNameNotFound_ListingTheKnownNames()
    {
        using var model = MjModel.FromXmlString(TestModels.Pendulum);

        var act = () => model.JointId("elbow");

        var ex = act.Should().Throw<MjNameNotFoundException>().Which;
        ex.Message.Should().Contain("no joint named 'elbow'").And.Contain("hinge");
        ex.ObjectType.Should().Be(MjObjectType.Joint);
        model.TryNameToId(MjObjectType.Joint, "elbow", out var id).Should().BeFalse();
        id.Should().Be(-1);
    }

    [Fact]
    public void IdToName_Throws_WhenIdIsOutOfRange()
    {
        using var model = MjModel.FromXmlString(TestModels.Pendulum);

        var act = () => model.IdToName(MjObjectType.Joint, 5);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*1 joint*");
    }

    [Fact]
    public void ModelArrays_ExposeAddressesRangesAndSensorLayout()
    {
        using var free = MjModel.FromXmlString(TestModels.FreeBody);
        free.JntQposAdr.ToArray().Should().Equal(0, 7);
        free.JntDofAdr.ToArray().Should().Equal(0, 6);
        free.JntType.ToArray().Should().Equal(0, 2); // free, slide
        free.JntLimited.ToArray().Should().Equal(0, 1);
        free.JntRange.Slice(2, 2).ToArray().Should().Equal(-0.1, 0.1);
        free.JntBodyId.ToArray().Should().Equal(1, 2);
        free.BodyParentId.ToArray().Should().Equal(0, 0, 1);
        free.Qpos0.ToArray().Should().Equal(0, 0, 1, 1, 0, 0, 0, 0);

        using var pendulum = MjModel.FromXmlString(TestModels.Pendulum);
        pendulum.ActuatorCtrlRange.ToArray().Should().Equal(-2, 2);
        pendulum.ActuatorCtrlLimited.ToArray().Should().Equal(1);
        pendulum.ActuatorTrnId[0].Should().Be(pendulum.JointId("hinge"));
        pendulum.ActuatorGear[0].Should().Be(1);
        pendulum.SensorAdr.ToArray().Should().Equal(0, 1, 2);
        pendulum.SensorDim.ToArray().Should().Equal(1, 1, 3);
        pendulum.BodyMass[1].Should().BeApproximately(1.0, 1e-12);
        pendulum.KeyQpos.ToArray().Should().Equal(0.5);
        pendulum.SiteBodyId.ToArray().Should().Equal(1);
    }

    [Fact]
    public void Timestep_CanBeSet_AndRejectsNonPositiveValues()
    {
        using var model = MjModel.FromXmlString(TestModels.Pendulum);

        model.Timestep = 0.01;
        model.Timestep.Should().Be(0.01);
        using var data = model.CreateData();
        data.Step();
        data.Time.Should().BeApproximately(0.01, 1e-15, "the new step size is what mj_step integrates with");

        var act = () => model.Timestep = 0;
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*opt.timestep*");
        var nan = () => model.Timestep = double.NaN;
        nan.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Gravity_IsAWritableViewOfTheOptions()
    {
        using var model = MjModel.FromXmlString(TestModels.FreeBody);
        model.Gravity.ToArray().Should().Equal(0, 0, -9.81);

        model.Gravity[2] = 0;
        using var data = model.CreateData();
        data.Step(10);

        data.Qpos[2].Should().Be(1.0, "without gravity the box does not fall");
    }

    [Fact]
    public void Accessors_ThrowObjectDisposed_AfterDispose()
    {
        var model = MjModel.FromXmlString(TestModels.Pendulum);
        model.Dispose();

        var act = () => model.Nq;

        act.Should().Throw<ObjectDisposedException>();
        model.ToString().Should().Contain("disposed");
        ((Action)(() => model.CreateData())).Should().Throw<ObjectDisposedException>();
    }
}

public class MjModelCloneTests
{
    [Fact]
    public void Clone_IsAnIndependentCopy_IncludingChangedParameters()
    {
        using var model = MjModel.FromXmlString(TestModels.FreeBody);
        model.BodyMass[1] = 3.0;

        using var copy = model.Clone();
        copy.BodyMass[1].Should().Be(3.0);
        copy.Nq.Should().Be(model.Nq);
        copy.Source.Should().Be(model.Source);

        copy.Gravity[2] = 0;
        model.Gravity[2].Should().Be(-9.81, "the copy owns separate memory");
        using var falling = model.CreateData();
        using var floating = copy.CreateData();
        falling.Step(10);
        floating.Step(10);
        falling.Qpos[2].Should().BeLessThan(1.0);
        floating.Qpos[2].Should().Be(1.0);
    }

    [Fact]
    public void JointTypes_MatchMuJoCosValues()
    {
        using var model = MjModel.FromXmlString(TestModels.FreeBody);

        ((MjJointType)model.JntType[0]).Should().Be(MjJointType.Free);
        ((MjJointType)model.JntType[1]).Should().Be(MjJointType.Slide);
        ((int)MjJointType.Hinge).Should().Be(3);
    }
}

using Mlsh.MuJoCo.Benchmarks;

namespace Mlsh.MuJoCo.Tests.Benchmarks;

public sealed class StepLoopTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mlsh-steploop-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string WriteModel(string name, string xml)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, xml);
        return path;
    }

    [Theory]
    [InlineData("pendulum")]
    [InlineData("freebody")]
    public void CAndManagedLoops_SimulateTheSameTrajectory_BitForBit(string which)
    {
        var path = WriteModel($"{which}.xml", which == "pendulum" ? TestModels.Pendulum : TestModels.FreeBody);

        var native = CStepLoop.Run(path, steps: 3000, warmupSteps: 10);
        var managed = ManagedStepLoop.Run(path, steps: 3000, warmupSteps: 10);

        managed.FinalQpos.Should().Equal(native.FinalQpos, "same model, same control pattern, same libmujoco");
        managed.Divergences.Should().Be(0);
        native.Divergences.Should().Be(0);
        native.Steps.Should().Be(3000);
        native.Seconds.Should().BePositive();
        managed.Seconds.Should().BePositive();
    }

    [Fact]
    public void CAndManagedLoops_CountTheSameDivergences()
    {
        // gear 1e14 makes every step with non-zero control explode (mjWARN_BADQACC, MuJoCo resets).
        var path = WriteModel("exploding.xml", TestModels.Pendulum.Replace("gear=\"1\"", "gear=\"1e14\""));

        var native = CStepLoop.Run(path, steps: 200, warmupSteps: 0);
        var managed = ManagedStepLoop.Run(path, steps: 200, warmupSteps: 0);

        native.Divergences.Should().BeGreaterThan(100);
        managed.Divergences.Should().Be(native.Divergences);
        managed.FinalQpos.Should().Equal(native.FinalQpos);
    }

    [Fact]
    public void CStepLoop_ThrowsLoadException_WithMuJoCosMessage()
    {
        var path = WriteModel("broken.xml", "<mujoco><worldbody><bogus_element/></worldbody></mujoco>");

        var act = () => CStepLoop.Run(path, steps: 10);

        var ex = act.Should().Throw<MjLoadException>().Which;
        ex.NativeMessage.Should().Contain("unrecognized element");
        ex.Message.Should().Contain(path);
    }

    [Fact]
    public void ControlPattern_ScalesSineIntoCtrlRange_OrUsesUnitAmplitudeWhenUnlimited()
    {
        const string xml = """
            <mujoco><worldbody><body><joint name="a"/><joint name="b" axis="1 0 0"/><geom size="0.1"/></body></worldbody>
            <actuator><motor joint="a" ctrlrange="1 3" ctrllimited="true"/><motor joint="b" ctrllimited="false"/></actuator></mujoco>
            """;
        using var model = MjModel.FromXmlString(xml);
        var pattern = new StepLoopControlPattern(model);
        Span<double> ctrl = stackalloc double[2];

        pattern.Apply(37, ctrl);

        ctrl[0].Should().Be(2.0 + 1.0 * Math.Sin(0.37 + 0));
        ctrl[1].Should().Be(0.0 + 1.0 * Math.Sin(0.37 + 1));
    }

    [Fact]
    public void ControlPattern_RejectsACtrlSpanOfTheWrongLength()
    {
        using var model = MjModel.FromXmlString(TestModels.Pendulum);
        var pattern = new StepLoopControlPattern(model);

        var act = () => pattern.Apply(0, new double[3]);

        act.Should().Throw<ArgumentException>().WithMessage("*3 entries*1 actuators*");
    }
}

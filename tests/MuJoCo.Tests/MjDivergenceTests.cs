namespace Mlsh.MuJoCo.Tests;

public class MjDivergenceTests
{
    /// <summary>A pendulum whose motor gear is absurd: one unit of ctrl yields an acceleration beyond 1e10.</summary>
    private static readonly string ExplodingPendulum = TestModels.Pendulum.Replace("gear=\"1\"", "gear=\"1e14\"");

    [Fact]
    public void TryStep_ReportsBadQvel_WhenNaNIsWrittenIntoQvel()
    {
        using var model = MjModel.FromXmlString(TestModels.Pendulum);
        using var data = model.CreateData();
        data.Step(10);
        var timeBefore = data.Time;

        data.Qvel[0] = double.NaN;
        var status = data.TryStep();

        status.Should().Be(MjStepStatus.BadQvel);
        data.LastDivergence.Should().Be(new MjDivergence(MjStepStatus.BadQvel, timeBefore, 0));
        data.Qvel[0].Should().Be(0, "MuJoCo reset the data");
        MjLibrary.LastWarning.Should().Contain("QVEL", "the warning went through the installed handler");
    }

    [Fact]
    public void Step_ThrowsPhysicsDivergence_NamingTheWarningAndTime()
    {
        using var model = MjModel.FromXmlString(ExplodingPendulum);
        using var data = model.CreateData();
        data.Step(5);
        data.Ctrl[0] = 2;

        var act = () => data.Step(100);

        var ex = act.Should().Throw<MjPhysicsDivergenceException>().Which;
        ex.Divergence.Status.Should().Be(MjStepStatus.BadQacc);
        ex.Divergence.Time.Should().BeApproximately(0.01, 1e-12, "the step after five steps of 2 ms failed");
        ex.Message.Should().Contain("mjWARN_BADQACC").And.Contain("t=0.01").And.Contain("reset the episode");
    }

    [Fact]
    public void TryStep_DetectsEveryDivergence_NotOnlyTheFirst()
    {
        using var model = MjModel.FromXmlString(ExplodingPendulum);
        using var data = model.CreateData();

        for (var episode = 0; episode < 3; episode++)
        {
            data.Reset();
            data.Ctrl[0] = 1;
            data.TryStep().Should().Be(MjStepStatus.BadQacc, $"episode {episode} diverges like the first");
            data.Reset();
            data.TryStep().Should().Be(MjStepStatus.Ok, "after a reset with zero control the pendulum is fine");
        }
    }

    [Fact]
    public void TryStep_ReportsBadQpos_WhenQposIsHuge()
    {
        using var model = MjModel.FromXmlString(TestModels.Pendulum);
        using var data = model.CreateData();

        data.Qpos[0] = 1e12;

        data.TryStep().Should().Be(MjStepStatus.BadQpos);
    }

    [Fact]
    public void TryStep_ReportsBadCtrl_WhenControlIsNaN()
    {
        using var model = MjModel.FromXmlString(TestModels.FreeBody.Replace("ctrllimited=\"true\"", "ctrllimited=\"false\""));
        using var data = model.CreateData();

        data.Ctrl[0] = double.NaN;

        data.TryStep().Should().Be(MjStepStatus.BadCtrl);
    }

    [Fact]
    public void TryStepN_StopsAtTheFirstDivergence()
    {
        using var model = MjModel.FromXmlString(ExplodingPendulum);
        using var data = model.CreateData();
        data.Ctrl[0] = 1;

        var status = data.TryStep(50);

        status.Should().Be(MjStepStatus.BadQacc);
        data.LastDivergence.Time.Should().Be(0, "the very first step exploded");
    }

    [Fact]
    public void TryStep_ReturnsOk_ForAHealthySimulation()
    {
        using var model = MjModel.FromXmlString(TestModels.FreeBody);
        using var data = model.CreateData();

        data.TryStep(500).Should().Be(MjStepStatus.Ok);
        data.LastDivergence.Status.Should().Be(MjStepStatus.Ok);
    }
}

namespace Mlsh.MuJoCo.Tests;

public class SmokeTests
{
    [Fact]
    public void FromXmlString_LoadsPendulum()
    {
        using var model = MjModel.FromXmlString(TestModels.Pendulum);
        model.Nq.Should().Be(1);
        using var model2 = MjModel.FromXmlString(TestModels.FreeBody);
        model2.Nq.Should().Be(8);
    }
}

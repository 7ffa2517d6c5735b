using Mlsh.Trainer.Mlsh;

namespace Mlsh.Trainer.Tests.Mlsh;

public class MpirunCommandLineTests
{
    private static readonly string[] CommandLine = ["/opt/mlsh/mlsh.dll", "train", "--config", "c.yaml", "--workers", "2"];

    [Fact]
    public void ByDefault_RanksAreNotBoundToCores_AndWaitsYield_AndEveryRankGetsTheCommandLinePlusMpiRank()
    {
        var psi = MpiTraining.MpirunStartInfo(2, CommandLine, userArgs: null, yieldWhenIdle: null);

        var args = psi.ArgumentList.ToList();
        psi.FileName.Should().Be("mpirun");
        args.Should().ContainInConsecutiveOrder("--bind-to", "none");
        args.Should().ContainInConsecutiveOrder("-np", "2");
        psi.Environment["OMPI_MCA_mpi_yield_when_idle"].Should().Be("1");
        args.Should().EndWith(["/opt/mlsh/mlsh.dll", "train", "--config", "c.yaml", "--workers", "2", "--mpi-rank"]);
    }

    [Fact]
    public void UserArguments_ChoosingTheirOwnBinding_AreNotContradicted()
    {
        var psi = MpiTraining.MpirunStartInfo(4, CommandLine, userArgs: "--hostfile hosts --bind-to core", yieldWhenIdle: null);

        var args = psi.ArgumentList.ToList();
        args.Count(a => a == "--bind-to").Should().Be(1);
        args.Should().ContainInConsecutiveOrder("--bind-to", "core").And.ContainInConsecutiveOrder("--hostfile", "hosts");
    }

    [Fact]
    public void AnExplicitYieldSetting_InTheEnvironment_IsLeftToOpenMpi()
    {
        var psi = MpiTraining.MpirunStartInfo(2, CommandLine, userArgs: null, yieldWhenIdle: "0");

        psi.Environment.TryGetValue("OMPI_MCA_mpi_yield_when_idle", out var v);
        v.Should().Be(Environment.GetEnvironmentVariable("OMPI_MCA_mpi_yield_when_idle"), "the process environment's own setting is inherited unchanged");
    }
}

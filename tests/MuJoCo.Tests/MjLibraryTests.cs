using System.Diagnostics;

namespace Mlsh.MuJoCo.Tests;

public class MjLibraryTests
{
    [Fact]
    public void Version_IsTheOneTheLayoutsWereGeneratedFor()
    {
        MjLibrary.Version.Should().Be(222);
    }

    [Fact]
    public void Warning_IsRaisedThroughTheInstalledHandler_WithMuJoCosText()
    {
        using var model = MjModel.FromXmlString(TestModels.Pendulum);
        using var data = model.CreateData();
        var seen = new List<string>();
        void OnWarning(string text) { lock (seen) seen.Add(text); }
        MjLibrary.Warning += OnWarning;
        try
        {
            var before = MjLibrary.WarningCount;
            data.Qpos[0] = double.PositiveInfinity;
            data.TryStep().Should().Be(MjStepStatus.BadQpos);
            MjLibrary.WarningCount.Should().BeGreaterThan(before);
        }
        finally { MjLibrary.Warning -= OnWarning; }

        lock (seen) seen.Should().Contain(t => t.Contains("QPOS"));
    }

    [Fact]
    public async Task MuJoCoFatalError_EndsTheProcess_WithMuJoCosMessageOnStderr()
    {
        // mju_error in 2.2.2 returns into the engine after a user handler returns, so the handler must end
        // the process; this runs the scenario in a child process (the test assembly's own Main).
        var assembly = typeof(FatalErrorProbe).Assembly.Location;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(assembly);
        psi.ArgumentList.Add(FatalErrorProbe.Argument);
        psi.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();

        p.ExitCode.Should().NotBe(0);
        (await stdout).Should().NotContain("survived");
        (await stderr).Should().Contain("MuJoCo fatal error (mju_error): Stack overflow");
    }
}

using System.Diagnostics;
using Mlsh.Core;
using Mlsh.MuJoCo.Interop;

namespace Mlsh.MuJoCo.Tests.Interop;

public class MjLayoutGeneratorTests
{
    [Fact]
    public async Task Generator_ReproducesTheCheckedInLayout_FromTheInstalledHeaders()
    {
        var script = Path.Combine(MlshPaths.Root, "tools", "MjLayoutGen", "generate.sh");
        var checkedIn = Path.Combine(MlshPaths.Root, "src", "MuJoCo", "Interop", "MjLayout.g.cs");
        var dir = Directory.CreateTempSubdirectory("mlsh-mjlayout-");
        try
        {
            var output = Path.Combine(dir.FullName, "MjLayout.g.cs");
            var psi = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true };
            psi.ArgumentList.Add(script);
            psi.ArgumentList.Add(output);
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            var stdout = p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();

            p.ExitCode.Should().Be(0, $"the generator must compile and run: {await stderr}{await stdout}");
            (await File.ReadAllTextAsync(output)).Should().Be(await File.ReadAllTextAsync(checkedIn),
                "MjLayout.g.cs must match the installed headers; re-run tools/MjLayoutGen/generate.sh and commit the result");
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public unsafe void GeneratedLayout_MatchesTheLoadedLibrary()
    {
        // Cross-checks the generated offsets against values the library itself computes: mj_step writes
        // time, the step size is read from opt.timestep, and nq/nv are the compiled sizes.
        MjLibrary.Version.Should().Be(MjLayout.mjVERSION_HEADER);
        using var model = MjModel.FromXmlString(TestModels.FreeBody);
        using var data = model.CreateData();
        model.Native->opt.timestep.Should().Be(0.005);
        model.Native->nq.Should().Be(8);
        data.Step(3);
        data.Native->time.Should().BeApproximately(0.015, 1e-15);
        data.Native->nstack.Should().Be(model.Native->nstack);
        data.Native->qpos[2].Should().BeLessThan(1.0);
    }

    [Fact]
    public void PublicObjectTypes_HaveMuJoCosEnumValues()
    {
        ((int)MjObjectType.Body).Should().Be((int)mjtObj.mjOBJ_BODY).And.Be(1);
        ((int)MjObjectType.Joint).Should().Be(3);
        ((int)MjObjectType.Actuator).Should().Be(18);
        ((int)MjObjectType.Sensor).Should().Be(19);
        ((int)MjObjectType.Keyframe).Should().Be(23);
    }
}

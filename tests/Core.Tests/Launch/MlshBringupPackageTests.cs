using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Mlsh.Core.Tests.Launch;

/// <summary>
/// ros2_ws/src/mlsh_bringup without ROS 2: package.xml against the format-3 rules that can be checked
/// without the ROS tools, and the CMakeLists configured and installed by the real cmake with a stand-in for
/// ament_cmake's one macro (ament_package, which only writes ament index metadata).
/// </summary>
public sealed class MlshBringupPackageTests : IDisposable
{
    private static readonly string PackageDir = Path.Combine(MlshPaths.Root, "ros2_ws", "src", "mlsh_bringup");
    private readonly LaunchTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void PackageXml_IsWellFormedFormat3_WithRequiredElementsInOrder_AndAmentCmakeBuildType()
    {
        var doc = XDocument.Load(Path.Combine(PackageDir, "package.xml"));
        var package = doc.Root!;
        package.Name.LocalName.Should().Be("package");
        package.Attribute("format")?.Value.Should().Be("3");

        // REP 149: name, version, description, maintainer+, license+ come first, in this order.
        var names = package.Elements().Select(e => e.Name.LocalName).ToList();
        names.Take(3).Should().Equal("name", "version", "description");
        var firstLicense = names.IndexOf("license");
        names.Skip(3).Take(firstLicense - 3).Should().NotBeEmpty().And.OnlyContain(n => n == "maintainer");
        names.Count(n => n == "name").Should().Be(1);

        var name = package.Element("name")!.Value;
        Regex.IsMatch(name, "^[a-z][a-z0-9_]*$").Should().BeTrue("REP 144 package names");
        name.Should().Be("mlsh_bringup");
        Regex.IsMatch(package.Element("version")!.Value, @"^\d+\.\d+\.\d+$").Should().BeTrue();
        package.Element("description")!.Value.Trim().Should().NotBeEmpty();
        package.Elements("maintainer").Should().OnlyContain(m => m.Attribute("email") != null && m.Value.Trim().Length > 0);
        package.Elements("license").Should().OnlyContain(l => l.Value.Trim().Length > 0);

        package.Elements("buildtool_depend").Select(e => e.Value).Should().Contain("ament_cmake");
        package.Elements("exec_depend").Select(e => e.Value).Should().Contain(["ros2launch", "launch_yaml", "launch_ros"]);
        package.Element("export")?.Element("build_type")?.Value.Should().Be("ament_cmake");

        File.ReadAllText(Path.Combine(PackageDir, "CMakeLists.txt")).Should().Contain($"project({name} ");
    }

    [Fact]
    public void CommittedPackageFiles_HoldNoMachinePaths()
    {
        foreach (var f in Directory.EnumerateFiles(PackageDir, "*", SearchOption.AllDirectories))
            File.ReadAllText(f).Should().NotContainAny(["/work/", "/root/", "/home/"], f);
    }

    private static (int Code, string Output) Run(string program, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output + err.Result);
    }

    [Fact]
    public void CMakeInstall_PutsLaunchAndParamsInShare_AndNodeWrappersInLib_ThatTranslateRosArguments()
    {
        var stub = _files.Write("stub/ament_cmakeConfig.cmake", "macro(ament_package)\nendmacro()\n");
        var build = Path.Combine(_files.Dir, "build");
        var prefix = Path.Combine(_files.Dir, "install");
        var configure = Run("cmake", ["-S", PackageDir, "-B", build, $"-DCMAKE_INSTALL_PREFIX={prefix}", $"-Dament_cmake_DIR={Path.GetDirectoryName(stub)}"]);
        configure.Code.Should().Be(0, configure.Output);
        var install = Run("cmake", ["--install", build]);
        install.Code.Should().Be(0, install.Output);

        var share = Path.Combine(prefix, "share", "mlsh_bringup");
        foreach (var f in new[] { "launch/sim.launch.yaml", "launch/runtime.launch.yaml", "launch/demo.launch.yaml",
                                  "launch/params/sim.yaml", "launch/params/runtime.yaml", "params/sim.yaml", "params/runtime.yaml" })
            File.Exists(Path.Combine(share, f)).Should().BeTrue(f);
        File.ReadAllText(Path.Combine(share, "launch", "demo.launch.yaml"))
            .Should().Be(File.ReadAllText(Path.Combine(MlshPaths.Root, "launch", "demo.launch.yaml")));

        // The wrapper runs $MLSH_ROOT/mlsh <verb>; a fake mlsh prints what it was given.
        var fakeRoot = Path.Combine(_files.Dir, "fake-root");
        _files.Script("fake-root/mlsh", "for a in \"$@\"; do printf '<%s>' \"$a\"; done; echo");
        var sim = Path.Combine(prefix, "lib", "mlsh_bringup", "mlsh_sim");
        var (code, output) = Run(sim,
            ["--layout", "layouts/a b.yaml", "--ros-args", "-r", "__node:=mlsh_sim", "--params-file", "/tmp/p 1.yaml",
             "--params-file", "/tmp/p2.yaml", "-p", "use_sim_time:=true"],
            new Dictionary<string, string> { ["MLSH_ROOT"] = fakeRoot });
        code.Should().Be(0, output);
        output.Trim().Should().Be("<sim><--params></tmp/p 1.yaml><--params></tmp/p2.yaml><--layout><layouts/a b.yaml>" +
                                  "<--ros-args><-r><__node:=mlsh_sim><-p><use_sim_time:=true>");

        var runtime = Run(Path.Combine(prefix, "lib", "mlsh_bringup", "mlsh_runtime"), ["--models", "m"],
            new Dictionary<string, string> { ["MLSH_ROOT"] = fakeRoot });
        runtime.Output.Trim().Should().Be("<run><--models><m>");

        // Without MLSH_ROOT in the environment the wrapper uses the repository it was configured from.
        File.ReadAllText(sim).Should().Contain($"MLSH_ROOT=\"${{MLSH_ROOT:-{MlshPaths.Root}}}\"");
    }
}

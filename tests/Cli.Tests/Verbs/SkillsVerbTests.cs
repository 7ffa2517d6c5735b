using System.Text.Json;
using Mlsh.Core;

namespace Mlsh.Cli.Tests.Verbs;

public sealed class SkillsVerbTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-skills-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Skills_OnTheShippedPointMassHierarchy_PrintsOneEntryPerSubpolicy_AndWritesTheSvg()
    {
        var svg = Path.Combine(_dir, "skills.svg");

        var (code, stdout, stderr) = await CliProcess.Run("skills", "--models", Path.Combine(MlshPaths.Models, "pointmass"),
            "--macros", "3", "--episodes", "2", "--svg", svg, "--json");

        code.Should().Be(0, stderr);
        using var json = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
        json.RootElement.GetProperty("task").GetString().Should().Be("open-arena");
        var skills = json.RootElement.GetProperty("skills").EnumerateArray().ToList();
        skills.Select(s => s.GetProperty("subpolicy").GetInt32()).Should().Equal(0, 1, 2, 3);
        foreach (var s in skills)
        {
            s.GetProperty("macro_steps_measured").GetInt32().Should().Be(6);
            s.GetProperty("heading_deg").GetDouble().Should().BeInRange(-180, 180);
            s.GetProperty("consistency").GetDouble().Should().BeInRange(0, 1);
            s.GetProperty("body_consistency").GetDouble().Should().BeInRange(0, 1);
            s.GetProperty("turn_deg_per_macro").GetDouble().Should().BeInRange(-180, 180);
        }
        File.ReadAllText(svg).Should().StartWith("<svg").And.Contain("sub-policy 3:");
    }

    [Theory]
    [InlineData("auto", "world")]
    [InlineData("body", "body")]
    public async Task Skills_WithAnOracleLayout_ReportsTheOraclesFrame_AutoIsWorldForSkillsThatSeeTheHeading(string asked, string used)
    {
        var (code, stdout, stderr) = await CliProcess.Run("skills", "--models", Path.Combine(MlshPaths.Models, "pointmass"),
            "--macros", "2", "--episodes", "1", "--oracle-layout", Path.Combine(MlshPaths.Layouts, "train", "corridor-east.yaml"),
            "--oracle-episodes", "1", "--oracle-frame", asked, "--json");

        code.Should().Be(0, stderr);
        using var json = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
        var oracle = json.RootElement.GetProperty("oracle");
        oracle.GetProperty("frame").GetString().Should().Be(used);
        oracle.GetProperty("success_rate").GetDouble().Should().BeInRange(0, 1);
    }

    [Fact]
    public async Task Skills_WithAnOracleFrameOutsideAutoWorldBody_IsAnError_Exit2()
    {
        var (code, _, stderr) = await CliProcess.Run("skills", "--models", Path.Combine(MlshPaths.Models, "pointmass"), "--oracle-frame", "polar");

        code.Should().NotBe(0);
        stderr.Should().Contain("polar");
    }

    [Fact]
    public async Task Skills_WithZeroMacros_IsOneLineError_Exit2()
    {
        var (code, _, stderr) = await CliProcess.Run("skills", "--models", Path.Combine(MlshPaths.Models, "pointmass"), "--macros", "0");

        code.Should().Be(2);
        stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().StartWith("error: --macros");
    }

    [Fact]
    public async Task Skills_OnAFlatPolicy_IsOneLineError_Exit2()
    {
        var flat = Path.Combine(_dir, "flat");
        Directory.CreateDirectory(flat);
        File.Copy(Path.Combine(MlshPaths.Models, "pointmass", "subpolicy-0.bin"), Path.Combine(flat, "policy.bin"));
        File.WriteAllText(Path.Combine(flat, "models.yaml"), """
            format_version: 1
            algorithm: flat
            task_family: pointmass_maze
            observation_size: 15
            action_kind: continuous
            action_size: 2
            macro_steps: 0
            subpolicies:
            - policy.bin
            master: ''
            layout: ''
            """);

        var (code, _, stderr) = await CliProcess.Run("skills", "--models", flat);

        code.Should().Be(2, stderr);
        stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().Contain("flat policy");
    }
}

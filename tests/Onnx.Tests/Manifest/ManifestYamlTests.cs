using Mlsh.Core.Configuration;
using Mlsh.Onnx.Export;
using Mlsh.Onnx.Manifest;

namespace Mlsh.Onnx.Tests.Manifest;

public class ManifestYamlTests
{
    private static PolicyManifest Exported(out string yaml)
    {
        var (subs, master, contract) = SyntheticBundle.Create(observationSize: 20, hidden: [8], jointCount: 4, subPolicyCount: 2);
        var manifest = HierarchyExporter.Build(subs, master, contract).Manifest;
        yaml = ManifestYaml.ToYaml(manifest);
        return manifest;
    }

    [Fact]
    public void ToYaml_ThenParse_RoundTripsEveryValueExactly()
    {
        var original = Exported(out var yaml);
        var back = ManifestYaml.Parse(yaml);
        back.Should().BeEquivalentTo(original);
        // Floats must survive exactly: the loader compares the model metadata derived from them.
        PolicyMetadata.For(back, "master").Should().Equal(PolicyMetadata.For(original, "master"));
    }

    [Fact]
    public void ToYaml_WritesSnakeCaseKeys_AndJointVectorsOnOneLine()
    {
        Exported(out var yaml);
        yaml.Should().Contain("joint_names: [joint_0, joint_1, joint_2, joint_3]")
            .And.Contain("control_rate_hz: 50").And.Contain("master_period: 10").And.Contain("sha256: ");
    }

    [Fact]
    public void Write_IsAtomicFileThatLoads()
    {
        using var dir = new TempDir();
        var m = Exported(out _);
        ManifestYaml.Write(dir.File("manifest.yaml"), m);
        ManifestYaml.Load(dir.File("manifest.yaml")).Name.Should().Be("synthetic");
        Directory.GetFiles(dir.Path).Should().ContainSingle("no temp file is left behind");
    }

    [Fact]
    public void Parse_Rejects_UnknownKey_NamingAllowedKeys()
    {
        Exported(out var yaml);
        var bad = yaml.Replace("  master_period:", "  master_periode: 3\n  master_period:");
        FluentActions.Invoking(() => ManifestYaml.Parse(bad, "m.yaml")).Should().Throw<ConfigException>()
            .WithMessage("m.yaml: line *unknown key 'master_periode'; allowed keys: control_rate_hz, master_period, policy_decimation");
    }

    [Fact]
    public void Parse_Rejects_MissingKey_NamingItsPath()
    {
        Exported(out var yaml);
        var bad = string.Join('\n', yaml.Split('\n').Where(l => !l.TrimStart().StartsWith("kd:")));
        FluentActions.Invoking(() => ManifestYaml.Parse(bad, "m.yaml")).Should().Throw<ConfigException>()
            .WithMessage("m.yaml: line *missing key 'action.kd'; required keys of 'action': kind, size, scale, default_pose, kp, kd, torque_limit");
    }

    [Fact]
    public void Parse_Rejects_MissingKeyInsideListItem()
    {
        Exported(out var yaml);
        var lines = yaml.Split('\n').ToList();
        lines.RemoveAt(lines.FindIndex(l => l.TrimStart().StartsWith("units:")));
        FluentActions.Invoking(() => ManifestYaml.Parse(string.Join('\n', lines), "m.yaml")).Should().Throw<ConfigException>()
            .WithMessage("*missing key 'observation.fields[0].units'*");
    }

    [Fact]
    public void Parse_Rejects_KeyWithoutValue()
    {
        Exported(out var yaml);
        var bad = System.Text.RegularExpressions.Regex.Replace(yaml, "(?m)^  name: synthetic_quadruped$", "  name:");
        FluentActions.Invoking(() => ManifestYaml.Parse(bad, "m.yaml")).Should().Throw<ConfigException>()
            .WithMessage("m.yaml: line *: key 'robot.name' has no value");
    }

    [Fact]
    public void Load_Rejects_MissingFile() =>
        FluentActions.Invoking(() => ManifestYaml.Load("/nonexistent/manifest.yaml")).Should().Throw<ConfigException>()
            .WithMessage("/nonexistent/manifest.yaml: manifest not found*");

    [Fact]
    public void Parse_Rejects_NotAMapping() =>
        FluentActions.Invoking(() => ManifestYaml.Parse("- a\n- b\n", "m.yaml")).Should().Throw<ConfigException>()
            .WithMessage("m.yaml: expected one YAML document holding a mapping of manifest keys");
}

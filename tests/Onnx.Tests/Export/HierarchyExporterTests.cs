using Mlsh.Onnx.Export;
using Mlsh.Onnx.Manifest;
using Onnx;

namespace Mlsh.Onnx.Tests.Export;

public class HierarchyExporterTests
{
    [Fact]
    public void Export_WritesOneModelPerSubPolicy_MasterAndManifest_WithMatchingHashes()
    {
        using var dir = new TempDir();
        var (subs, master, contract) = SyntheticBundle.Create(subPolicyCount: 3);

        var manifest = HierarchyExporter.Export(subs, master, contract, dir.Path);

        Directory.GetFiles(dir.Path).Select(Path.GetFileName).Should().BeEquivalentTo(
            "manifest.yaml", "master.onnx", "sub_policy_0.onnx", "sub_policy_1.onnx", "sub_policy_2.onnx");
        foreach (var e in manifest.Models.SubPolicies.Append(manifest.Models.Master))
            ModelHash.Sha256Hex(File.ReadAllBytes(dir.File(e.File))).Should().Be(e.Sha256, e.File);
        ManifestYaml.Load(dir.File("manifest.yaml")).Should().BeEquivalentTo(manifest);
        manifest.Models.Master.Should().BeEquivalentTo(new { Input = "observation", Output = "logits", InputSize = 40, OutputSize = 3 });
        manifest.Provenance.ExportedUtc.Should().EndWith("Z");
    }

    [Fact]
    public void Export_EmbedsContractAsMetadataProps_InEveryModel()
    {
        using var dir = new TempDir();
        var (subs, master, contract) = SyntheticBundle.Create(subPolicyCount: 2);
        var manifest = HierarchyExporter.Export(subs, master, contract, dir.Path);

        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(dir.File("sub_policy_1.onnx")));
        var props = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);

        props.Should().Equal(PolicyMetadata.For(manifest, "sub_policy_1"));
        props.Keys.Should().BeEquivalentTo(PolicyMetadata.Keys);
        props[PolicyMetadata.JointNames].Should().Be(string.Join(',', contract.Robot.JointNames));
        props[PolicyMetadata.Timing].Should().Be("{\"control_rate_hz\":50,\"policy_decimation\":1,\"master_period\":10}");
    }

    [Fact]
    public void Export_Rejects_SubPolicyWhoseOutputScaleIsNotTheActionScale()
    {
        var (subs, master, contract) = SyntheticBundle.Create(jointCount: 2, subPolicyCount: 2);
        subs[1] = subs[1] with { OutputScale = [1f, 1f] };
        FluentActions.Invoking(() => HierarchyExporter.Build(subs, master, contract)).Should().Throw<ArgumentException>()
            .WithMessage("policy 'sub_policy_1': OutputScale must equal action.scale [*], got [1, 1]");
    }

    [Fact]
    public void Export_Rejects_MasterWithWrongLogitCount()
    {
        var (subs, master, contract) = SyntheticBundle.Create(subPolicyCount: 4);
        FluentActions.Invoking(() => HierarchyExporter.Build(subs[..3], master, contract)).Should().Throw<ArgumentException>()
            .WithMessage("policy 'master': output size must be 3, got 4");
    }

    [Fact]
    public void Export_Rejects_SpecWithOtherObservationSize()
    {
        var (subs, master, contract) = SyntheticBundle.Create(observationSize: 40);
        var (other, _, _) = SyntheticBundle.Create(observationSize: 41);
        subs[0] = other[0];
        FluentActions.Invoking(() => HierarchyExporter.Build(subs, master, contract)).Should().Throw<ArgumentException>()
            .WithMessage("policy 'sub_policy_0': ObservationSize must equal observation.size 40, got 41");
    }
}

using System.Runtime.InteropServices;
using Mlsh.Onnx.Export;
using Mlsh.Onnx.Graph;
using Mlsh.TestSupport;
using Onnx;

namespace Mlsh.Onnx.Tests.Graph;

public class OnnxGraphBuilderTests
{
    private static readonly Dictionary<string, string> Meta = new() { ["mlsh.test"] = "1" };

    [Fact]
    public void Build_UsesIr8AndOpset17_WithSymbolicBatchInputAndOutput()
    {
        var spec = SyntheticBundle.Random(new Random(1), 40, [64, 64], 8);
        var m = OnnxGraphBuilder.Build(spec, "sub_policy_0", "observation", "joint_targets", Meta, "doc");

        m.IrVersion.Should().Be(8);
        m.OpsetImport.Should().ContainSingle().Which.Version.Should().Be(17);
        var input = m.Graph.Input.Should().ContainSingle().Subject;
        input.Name.Should().Be("observation");
        input.Type.TensorType.ElemType.Should().Be((int)TensorProto.Types.DataType.Float);
        input.Type.TensorType.Shape.Dim.Select(d => d.DimParam + d.DimValue).Should().Equal("batch0", "40");
        var output = m.Graph.Output.Should().ContainSingle().Subject;
        output.Name.Should().Be("joint_targets");
        output.Type.TensorType.Shape.Dim.Select(d => d.DimParam + d.DimValue).Should().Equal("batch0", "8");
        m.Graph.Node[^1].Output.Should().Equal("joint_targets");
        m.MetadataProps.Select(p => (p.Key, p.Value)).Should().Equal(("mlsh.test", "1"));
    }

    [Fact]
    public void Build_StoresWeightsByteIdentical_AsOutByInInitializer()
    {
        var spec = SyntheticBundle.Random(new Random(2), 7, [5], 3);
        var m = OnnxGraphBuilder.Build(spec, "master", "observation", "logits", Meta, "doc");

        var w0 = m.Graph.Initializer.Single(t => t.Name == "layer0_weight");
        w0.Dims.Should().Equal(5, 7);
        MemoryMarshal.Cast<byte, float>(w0.RawData.Span).ToArray().Should().Equal(spec.Layers[0].Weights);
        var std = m.Graph.Initializer.Single(t => t.Name == "obs_std");
        MemoryMarshal.Cast<byte, float>(std.RawData.Span).ToArray().Should().Equal(spec.NormalizerStd);
        m.Graph.Node.Select(n => n.OpType).Should().Equal("Sub", "Div", "Clip", "Gemm", "Tanh", "Gemm");
    }

    [Fact]
    public void Build_AddsOutputClipScaleOffsetNodes_OnlyWhenSet()
    {
        var spec = SyntheticBundle.Random(new Random(2), 7, [5], 3) with { OutputClip = 1f, OutputScale = [1f, 2f, 3f], OutputOffset = [0f, 0f, 1f] };
        var m = OnnxGraphBuilder.Build(spec, "sub_policy_0", "observation", "joint_targets", Meta, "doc");
        m.Graph.Node.Select(n => n.OpType).Should().Equal("Sub", "Div", "Clip", "Gemm", "Tanh", "Gemm", "Clip", "Mul", "Add");
    }

    [Fact]
    public void ExportedModels_PassOnnxCheckerFullCheck()
    {
        using var dir = new TempDir();
        var (subs, master, contract) = SyntheticBundle.Create(subPolicyCount: 3);
        subs[1] = subs[1] with { OutputClip = 1f };
        var manifest = HierarchyExporter.Export(subs, master, contract, dir.Path);
        var files = manifest.Models.SubPolicies.Select(e => dir.File(e.File)).Append(dir.File(manifest.Models.Master.File)).ToArray();

        var (code, output) = OnnxChecker.Check(files);

        code.Should().Be(0, output);
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(4).And.OnlyContain(l => l.StartsWith("ok ") && l.EndsWith("ir 8 opset 17"));
    }

    [Fact]
    public void OnnxChecker_RejectsModelWithUnknownOperator()
    {
        // Proves the checker test above can fail: same builder, one op corrupted.
        using var dir = new TempDir();
        var m = OnnxGraphBuilder.Build(SyntheticBundle.Random(new Random(1), 4, [3], 2), "master", "observation", "logits", Meta, "doc");
        m.Graph.Node[4].OpType = "NoSuchOp";
        File.WriteAllBytes(dir.File("bad.onnx"), OnnxGraphBuilder.Serialize(m));

        var (code, output) = OnnxChecker.Check(dir.File("bad.onnx"));

        code.Should().NotBe(0);
        output.Should().Contain("NoSuchOp");
    }
}

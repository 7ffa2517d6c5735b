using Mlsh.Onnx.Manifest;
using Mlsh.OnnxRuntime.Interop;

namespace Mlsh.OnnxRuntime.Tests;

public class OrtSessionTests
{
    [Fact]
    public void FromFile_ReadsInputAndOutputNamesTypesAndShapes_OfExportedSubPolicy()
    {
        using var m = new TestModels();
        using var s = OrtSession.FromFile(m.File("sub_policy_0.onnx"));

        s.Inputs.Should().ContainSingle().Which.ToString().Should().Be("observation: Float [batch, 40]");
        s.Outputs.Should().ContainSingle().Which.ToString().Should().Be("joint_targets: Float [batch, 8]");
        s.Inputs[0].Shape.Should().Equal(-1, 40);
        s.Inputs[0].SymbolicDims.Should().Equal("batch", "");
    }

    [Fact]
    public void FromBytes_ReadsModelMetadata_AndTheEmbeddedContract()
    {
        using var m = new TestModels(subPolicyCount: 3);
        using var s = OrtSession.FromBytes(File.ReadAllBytes(m.File("master.onnx")), source: "master.onnx");

        s.Outputs.Should().ContainSingle().Which.ToString().Should().Be("logits: Float [batch, 3]");
        s.Metadata.ProducerName.Should().Be("mlsh");
        s.Metadata.GraphName.Should().Be("master");
        s.Metadata.Domain.Should().Be("ai.mlsh");
        s.Metadata.Version.Should().Be(1);
        s.Metadata.Description.Should().Contain("logits over 3 sub-policies");
        s.Metadata.Custom.Should().Equal(PolicyMetadata.For(m.Manifest, "master"));
    }

    [Fact]
    public void FromBytes_Rejects_NonOnnxBytes_WithOrtsMessage()
    {
        var e = FluentActions.Invoking(() => OrtSession.FromBytes("this is not a model"u8)).Should().Throw<OrtException>().Which;
        e.Function.Should().Be("CreateSessionFromArray");
        e.Code.Should().Be(OrtErrorCode.InvalidProtobuf);
        e.OrtMessage.Should().NotBeEmpty();
    }

    [Fact]
    public void FromFile_Rejects_MissingFile_WithNoSuchFile()
    {
        var e = FluentActions.Invoking(() => OrtSession.FromFile("/nonexistent/model.onnx")).Should().Throw<OrtException>().Which;
        e.Function.Should().Be("CreateSession");
        e.Code.Should().Be(OrtErrorCode.NoSuchFile);
    }

    [Fact]
    public void Create_Rejects_NegativeThreadCount() =>
        FluentActions.Invoking(() => OrtSession.FromBytes([1, 2], new OrtSessionOptions { IntraOpThreads = -1 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("IntraOpThreads: expected >= 0 (0 = ORT default), got -1*");

    [Fact]
    public void SessionsAndBindings_ReleaseEveryNativeHandle_WhenDisposed()
    {
        using var m = new TestModels(observationSize: 10, joints: 2, subPolicyCount: 2, hidden: [4]);
        var bytes = File.ReadAllBytes(m.File("sub_policy_1.onnx"));
        using (var warm = OrtSession.FromBytes(bytes)) warm.Bind().Dispose(); // env + CPU memory info are process-wide
        var baseline = OrtHandle.LiveCount;

        for (var i = 0; i < 20; i++)
        {
            using var s = OrtSession.FromBytes(bytes, new OrtSessionOptions { IntraOpThreads = 1 + i % 2 });
            using var b = s.Bind(batchSize: 1 + i % 3);
            b.Run();
            OrtHandle.LiveCount.Should().Be(baseline + 3, "a session and its binding's input and output tensors");
        }

        OrtHandle.LiveCount.Should().Be(baseline);
    }

    [Fact]
    public void Binding_KeepsSessionAlive_AfterSessionIsDisposed()
    {
        using var m = new TestModels(observationSize: 10, joints: 2, subPolicyCount: 2, hidden: [4]);
        var s = OrtSession.FromFile(m.File("sub_policy_0.onnx"));
        var b = s.Bind();
        var baseline = OrtHandle.LiveCount;

        s.Dispose();
        OrtHandle.LiveCount.Should().Be(baseline, "the binding still holds a reference on the session");
        b.Run();
        b.Output().ToArray().Should().OnlyContain(v => float.IsFinite(v));

        b.Dispose();
        OrtHandle.LiveCount.Should().Be(baseline - 3);
    }
}

using Mlsh.Onnx.Graph;

namespace Mlsh.OnnxRuntime.Tests;

public class OrtBindingTests
{
    [Fact]
    public void Run_WritesOutputsInPlace_MatchingReferenceForward_ForABatch()
    {
        using var m = new TestModels();
        using var s = OrtSession.FromFile(m.File("sub_policy_2.onnx"));
        using var b = s.Bind(batchSize: 3);
        var reference = new PolicyForward(m.SubPolicies[2]);
        var rng = new Random(5);
        var input = b.Input();
        input.Length.Should().Be(3 * 40);
        for (var i = 0; i < input.Length; i++) input[i] = 4f * (rng.NextSingle() - 0.5f);

        b.Run();

        var expected = new float[8];
        for (var row = 0; row < 3; row++)
        {
            reference.Evaluate(input.Slice(row * 40, 40), expected);
            b.Output().Slice(row * 8, 8).ToArray().Should().BeEquivalentTo(expected, o => o.Using<float>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-5f)).WhenTypeIs<float>());
        }
    }

    [Fact]
    public void Run_AllocatesNoManagedMemory_AfterWarmUp()
    {
        using var m = new TestModels();
        using var s = OrtSession.FromFile(m.File("master.onnx"));
        using var b = s.Bind();
        var input = b.Input();
        for (var i = 0; i < 50; i++) b.Run();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 5_000; i++)
        {
            input[i % input.Length] = i * 1e-3f;
            b.Run();
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().Be(0);
    }

    [Fact]
    public void Run_Throws_AfterDispose()
    {
        using var m = new TestModels(observationSize: 10, joints: 2, subPolicyCount: 2, hidden: [4]);
        using var s = OrtSession.FromFile(m.File("master.onnx"));
        var b = s.Bind();
        b.Dispose();
        b.Invoking(x => x.Run()).Should().Throw<ObjectDisposedException>();
    }
}

public class OrtBindingShapeTests
{
    private static byte[] Model(global::Onnx.TensorProto.Types.DataType inputType, string op, params object[] inputDims)
    {
        static global::Onnx.ValueInfoProto Info(string name, global::Onnx.TensorProto.Types.DataType t, object[] dims)
        {
            var shape = new global::Onnx.TensorShapeProto();
            foreach (var d in dims)
                shape.Dim.Add(d is string s ? new global::Onnx.TensorShapeProto.Types.Dimension { DimParam = s } : new global::Onnx.TensorShapeProto.Types.Dimension { DimValue = (int)d });
            return new global::Onnx.ValueInfoProto { Name = name, Type = new global::Onnx.TypeProto { TensorType = new global::Onnx.TypeProto.Types.Tensor { ElemType = (int)t, Shape = shape } } };
        }
        var node = new global::Onnx.NodeProto { OpType = op, Input = { "x" }, Output = { "y" } };
        if (op == "Cast") node.Attribute.Add(new global::Onnx.AttributeProto { Name = "to", Type = global::Onnx.AttributeProto.Types.AttributeType.Int, I = 1 });
        var g = new global::Onnx.GraphProto { Name = "g", Node = { node } };
        g.Input.Add(Info("x", inputType, inputDims));
        g.Output.Add(Info("y", global::Onnx.TensorProto.Types.DataType.Float, inputDims));
        var m = new global::Onnx.ModelProto { IrVersion = 8, Graph = g };
        m.OpsetImport.Add(new global::Onnx.OperatorSetIdProto { Version = 17 });
        return Google.Protobuf.MessageExtensions.ToByteArray(m);
    }

    [Fact]
    public void Bind_Rejects_NonFloatTensor()
    {
        using var s = OrtSession.FromBytes(Model(global::Onnx.TensorProto.Types.DataType.Int64, "Cast", 2), source: "cast.onnx");
        s.Inputs[0].ToString().Should().Be("x: Int64 [2]");
        s.Invoking(x => x.Bind()).Should().Throw<NotSupportedException>()
            .WithMessage("cast.onnx: 'x' is Int64 [2]; OrtBinding binds float tensors only");
    }

    [Fact]
    public void Bind_Rejects_SymbolicNonBatchDimension()
    {
        using var s = OrtSession.FromBytes(Model(global::Onnx.TensorProto.Types.DataType.Float, "Identity", "batch", "width"), source: "id.onnx");
        s.Invoking(x => x.Bind()).Should().Throw<NotSupportedException>()
            .WithMessage("id.onnx: 'x' [batch, width] has symbolic dimension 1; only the leading (batch) dimension may be symbolic");
    }

    [Fact]
    public void Bind_ResolvesSymbolicBatch_ToRequestedBatchSize()
    {
        using var s = OrtSession.FromBytes(Model(global::Onnx.TensorProto.Types.DataType.Float, "Identity", "batch", 3));
        using var b = s.Bind(batchSize: 5);
        b.Input().Length.Should().Be(15);
        for (var i = 0; i < 15; i++) b.Input()[i] = i;
        b.Run();
        b.Output().ToArray().Should().Equal(Enumerable.Range(0, 15).Select(i => (float)i));
    }
}

using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace Mlsh.Onnx.Graph;

/// <summary>
/// Turns a <see cref="PolicyGraphSpec"/> into an ONNX <c>ModelProto</c> built from the classes
/// protoc generates from Debian's onnx.proto. Stateless and thread-safe.
/// </summary>
internal static class OnnxGraphBuilder
{
    /// <summary>
    /// DESIGN: IR 8 / opset 17 is the newest pair the onnx 1.12 checker (the independent validator
    /// the tests run) knows; ONNX Runtime 1.30 reads every IR version from 3 up, so the model is
    /// valid for both. Newer opsets add nothing an MLP needs.
    /// </summary>
    internal const long IrVersion = 8;
    internal const long OpsetVersion = 17;

    /// <summary>The symbolic batch dimension on the input and output.</summary>
    internal const string BatchDim = "batch";

    internal static ModelProto Build(
        PolicyGraphSpec spec, string graphName, string inputName, string outputName,
        IReadOnlyDictionary<string, string> metadata, string docString)
    {
        spec.Validate(graphName);
        var g = new GraphProto { Name = graphName, DocString = docString };
        g.Input.Add(ValueInfo(inputName, spec.ObservationSize));
        g.Output.Add(ValueInfo(outputName, spec.OutputSize));

        var nodes = new NodeChain(g, inputName, outputName);

        // Observation normalizer: the running mean/std frozen at export time.
        nodes.Binary("Sub", Initializer(g, "obs_mean", spec.NormalizerMean), "obs_centered");
        nodes.Binary("Div", Initializer(g, "obs_std", spec.NormalizerStd), "obs_scaled");
        nodes.Clip(Scalar(g, "obs_clip_min", -spec.ObservationClip), Scalar(g, "obs_clip_max", spec.ObservationClip), "obs_normalized");

        for (var i = 0; i < spec.Layers.Count; i++)
        {
            var l = spec.Layers[i];
            var w = Initializer(g, $"layer{i}_weight", l.Weights, l.OutputSize, l.InputSize);
            var b = Initializer(g, $"layer{i}_bias", l.Bias);
            // Gemm with transB=1 consumes the [out x in] row-major weights as stored by the trainer,
            // so the exported initializer is byte-identical to the spec.
            nodes.Add(new NodeProto { OpType = "Gemm", Name = $"layer{i}_gemm", Input = { nodes.Current, w, b } },
                      $"layer{i}_linear", new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
            if (l.Activation == Activation.Tanh)
                nodes.Add(new NodeProto { OpType = "Tanh", Name = $"layer{i}_tanh", Input = { nodes.Current } }, $"layer{i}_out");
        }

        if (spec.OutputClip is { } c)
            nodes.Clip(Scalar(g, "out_clip_min", -c), Scalar(g, "out_clip_max", c), "out_clipped");
        if (spec.OutputScale is not null) nodes.Binary("Mul", Initializer(g, "out_scale", spec.OutputScale), "out_scaled");
        if (spec.OutputOffset is not null) nodes.Binary("Add", Initializer(g, "out_offset", spec.OutputOffset), "out_offset_added");
        nodes.Finish();

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "mlsh",
            ProducerVersion = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "0",
            Domain = "ai.mlsh",
            ModelVersion = 1,
            DocString = docString,
            Graph = g,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            model.MetadataProps.Add(new StringStringEntryProto { Key = k, Value = v });
        return model;
    }

    internal static byte[] Serialize(ModelProto model) => model.ToByteArray();

    private static ValueInfoProto ValueInfo(string name, int width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = BatchDim });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private static string Initializer(GraphProto g, string name, float[] values, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        if (dims.Length == 0) t.Dims.Add(values.Length); else t.Dims.AddRange(dims);
        t.RawData = RawLittleEndian(values);
        g.Initializer.Add(t);
        return name;
    }

    private static string Scalar(GraphProto g, string name, float value)
    {
        // A rank-0 tensor: Clip's min/max inputs must be scalars.
        g.Initializer.Add(new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = RawLittleEndian([value]) });
        return name;
    }

    private static ByteString RawLittleEndian(ReadOnlySpan<float> values)
    {
        // ONNX raw_data is little-endian by definition; so is every machine .NET 10 runs Mlsh on.
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX export needs a little-endian machine");
        return ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
    }

    /// <summary>Chains single-output nodes; the last one is renamed to the graph output.</summary>
    private sealed class NodeChain(GraphProto graph, string input, string output)
    {
        private NodeProto? _last;
        public string Current { get; private set; } = input;

        public void Add(NodeProto node, string result, params AttributeProto[] attributes)
        {
            node.Output.Add(result);
            node.Attribute.AddRange(attributes);
            graph.Node.Add(node);
            _last = node;
            Current = result;
        }

        public void Binary(string op, string operand, string result) =>
            Add(new NodeProto { OpType = op, Name = result, Input = { Current, operand } }, result);

        public void Clip(string min, string max, string result) =>
            Add(new NodeProto { OpType = "Clip", Name = result, Input = { Current, min, max } }, result);

        public void Finish()
        {
            // A spec always has at least one layer, so there is a last node to rename.
            _last!.Output[0] = output;
            Current = output;
        }
    }
}

namespace Mlsh.OnnxRuntime;

/// <summary>ONNXTensorElementDataType, in the header's order.</summary>
public enum OrtElementType
{
    Undefined, Float, UInt8, Int8, UInt16, Int16, Int32, Int64, String, Bool, Float16, Double, UInt32, UInt64, Complex64, Complex128, BFloat16,
}

/// <summary>GraphOptimizationLevel.</summary>
public enum OrtGraphOptimization { Disabled = 0, Basic = 1, Extended = 2, All = 99 }

/// <summary>
/// How a session runs. The defaults suit a real-time control loop: one intra-op thread (the
/// inference runs on the caller's thread, no pool to wake or to jitter), sequential execution.
/// </summary>
public sealed record OrtSessionOptions
{
    public int IntraOpThreads { get; init; } = 1;
    public int InterOpThreads { get; init; } = 1;
    public OrtGraphOptimization Optimization { get; init; } = OrtGraphOptimization.All;

    public static OrtSessionOptions Default { get; } = new();
}

/// <summary>
/// A graph input or output as ONNX Runtime sees it. <see cref="Shape"/> holds -1 for a symbolic
/// dimension whose name is in <see cref="SymbolicDims"/> at the same index ("" for fixed ones).
/// </summary>
public sealed record OrtTensorInfo(string Name, OrtElementType ElementType, long[] Shape, string[] SymbolicDims)
{
    /// <summary>E.g. "[batch, 40]".</summary>
    public string ShapeText => "[" + string.Join(", ", Shape.Select((d, i) => d >= 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : SymbolicDims[i] is { Length: > 0 } s ? s : "?")) + "]";

    public override string ToString() => $"{Name}: {ElementType} {ShapeText}";
}

/// <summary>The model-level metadata ORT reads from a model (ModelProto fields + metadata_props).</summary>
public sealed record OrtModelMetadata(
    string ProducerName, string GraphName, string Domain, string Description, long Version,
    IReadOnlyDictionary<string, string> Custom);

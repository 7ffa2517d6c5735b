namespace Mlsh.Onnx.Graph;

/// <summary>Nonlinearity applied after a dense layer.</summary>
public enum Activation
{
    /// <summary>Identity: the layer's affine output is passed on unchanged (the output layer).</summary>
    None,
    /// <summary>Hyperbolic tangent (the hidden layers of an MLSH MLP).</summary>
    Tanh,
}

/// <summary>
/// One affine layer <c>y = act(W x + b)</c>. <see cref="Weights"/> is <c>[OutputSize × InputSize]</c>
/// row-major (row <c>o</c> holds the weights feeding output <c>o</c>), the layout of a PyTorch
/// <c>nn.Linear.weight</c>. The arrays are not copied: do not mutate them while an exporter or a
/// <see cref="PolicyForward"/> built from them is in use.
/// </summary>
public sealed record DenseLayer(int InputSize, int OutputSize, float[] Weights, float[] Bias, Activation Activation);

/// <summary>
/// A framework-neutral description of one deployable policy network, the exporter's input: what the
/// trainer's MLP plus its running observation normalizer compute, deterministically.
/// <para>
/// Forward pass (exactly what the ONNX graph and <see cref="PolicyForward"/> compute, in float32):
/// <c>z = clip((obs - NormalizerMean) / NormalizerStd, -ObservationClip, +ObservationClip)</c>;
/// each layer <c>z = act(W z + b)</c>; then, if set, <c>z = clip(z, -OutputClip, +OutputClip)</c>;
/// then <c>out = z * OutputScale + OutputOffset</c> (each optional, element-wise).
/// </para>
/// <para>
/// For a sub-policy the output is the Gaussian mean (no sampling) mapped to joint position targets:
/// <c>OutputScale</c> = action scale per joint, <c>OutputOffset</c> = default pose. For the master the
/// output is the logits over sub-policies and both are left null.
/// </para>
/// <para>
/// <c>NormalizerStd</c> is the divisor actually used, i.e. the trainer's <c>sqrt(var + eps)</c>: the
/// mapping from the trainer's normalizer decides the epsilon, not the exporter.
/// </para>
/// Arrays are referenced, not copied; treat the spec as immutable once built.
/// </summary>
public sealed record PolicyGraphSpec(
    int ObservationSize,
    float[] NormalizerMean,
    float[] NormalizerStd,
    float ObservationClip,
    IReadOnlyList<DenseLayer> Layers,
    float? OutputClip = null,
    float[]? OutputScale = null,
    float[]? OutputOffset = null)
{
    /// <summary>Width of the network's output (actions or logits).</summary>
    public int OutputSize => Layers.Count == 0 ? 0 : Layers[^1].OutputSize;

    /// <summary>Width of the widest layer, for scratch buffers.</summary>
    internal int MaxWidth => Layers.Aggregate(ObservationSize, (m, l) => Math.Max(m, l.OutputSize));

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the first inconsistent field with expected vs
    /// actual: sizes that do not chain, non-finite weights, a non-positive std or clip.
    /// </summary>
    /// <param name="name">Which policy this is ("master", "sub_policy_2"), for the message.</param>
    public void Validate(string name)
    {
        void Fail(string field, string problem) =>
            throw new ArgumentException($"policy '{name}': {field}: {problem}");

        if (ObservationSize <= 0) Fail("ObservationSize", $"expected > 0, got {ObservationSize}");
        if (NormalizerMean is null || NormalizerMean.Length != ObservationSize)
            Fail("NormalizerMean", $"expected length {ObservationSize} (ObservationSize), got {NormalizerMean?.Length.ToString() ?? "null"}");
        if (NormalizerStd is null || NormalizerStd.Length != ObservationSize)
            Fail("NormalizerStd", $"expected length {ObservationSize} (ObservationSize), got {NormalizerStd?.Length.ToString() ?? "null"}");
        CheckFinite(NormalizerMean!, "NormalizerMean", Fail);
        for (var i = 0; i < ObservationSize; i++)
            if (!(NormalizerStd![i] > 0f) || !float.IsFinite(NormalizerStd[i]))
                Fail($"NormalizerStd[{i}]", $"expected a finite value > 0, got {NormalizerStd[i]}");
        if (!(ObservationClip > 0f)) Fail("ObservationClip", $"expected > 0, got {ObservationClip}");
        if (Layers is null || Layers.Count == 0) Fail("Layers", "expected at least one layer, got none");

        var width = ObservationSize;
        for (var i = 0; i < Layers!.Count; i++)
        {
            var l = Layers[i];
            var f = $"Layers[{i}]";
            if (l.InputSize != width) Fail($"{f}.InputSize", $"expected {width} (output of the previous stage), got {l.InputSize}");
            if (l.OutputSize <= 0) Fail($"{f}.OutputSize", $"expected > 0, got {l.OutputSize}");
            if (l.Weights is null || l.Weights.Length != l.OutputSize * l.InputSize)
                Fail($"{f}.Weights", $"expected {l.OutputSize}x{l.InputSize} = {l.OutputSize * l.InputSize} values (row-major [out x in]), got {l.Weights?.Length.ToString() ?? "null"}");
            if (l.Bias is null || l.Bias.Length != l.OutputSize)
                Fail($"{f}.Bias", $"expected {l.OutputSize} values, got {l.Bias?.Length.ToString() ?? "null"}");
            if (!Enum.IsDefined(l.Activation)) Fail($"{f}.Activation", $"expected None or Tanh, got {(int)l.Activation}");
            CheckFinite(l.Weights!, $"{f}.Weights", Fail);
            CheckFinite(l.Bias!, $"{f}.Bias", Fail);
            width = l.OutputSize;
        }

        if (OutputClip is { } c && !(c > 0f)) Fail("OutputClip", $"expected > 0 or null, got {c}");
        if (OutputScale is not null)
        {
            if (OutputScale.Length != width) Fail("OutputScale", $"expected length {width} (output size), got {OutputScale.Length}");
            CheckFinite(OutputScale, "OutputScale", Fail);
        }
        if (OutputOffset is not null)
        {
            if (OutputOffset.Length != width) Fail("OutputOffset", $"expected length {width} (output size), got {OutputOffset.Length}");
            CheckFinite(OutputOffset, "OutputOffset", Fail);
        }
    }

    private static void CheckFinite(float[] values, string field, Action<string, string> fail)
    {
        for (var i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) fail($"{field}[{i}]", $"expected a finite value, got {values[i]}");
    }
}

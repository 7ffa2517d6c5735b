using System.Diagnostics;
using System.Numerics.Tensors;

namespace Mlsh.Onnx.Graph;

/// <summary>
/// The in-house C# forward pass over a <see cref="PolicyGraphSpec"/>: the reference the exported
/// ONNX graph is checked against, and the baseline `./mlsh bench infer` compares ONNX Runtime with.
/// Owns two scratch vectors sized at construction, so <see cref="Evaluate"/> allocates nothing.
/// Not thread-safe (the scratch is shared); use one instance per thread.
/// </summary>
public sealed class PolicyForward
{
    private readonly PolicyGraphSpec _spec;
    private readonly float[] _a;
    private readonly float[] _b;

    /// <exception cref="ArgumentException">The spec is inconsistent (see <see cref="PolicyGraphSpec.Validate"/>).</exception>
    public PolicyForward(PolicyGraphSpec spec, string name = "policy")
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate(name);
        _spec = spec;
        _a = new float[spec.MaxWidth];
        _b = new float[spec.MaxWidth];
    }

    public int ObservationSize => _spec.ObservationSize;
    public int OutputSize => _spec.OutputSize;

    /// <summary>Writes the policy's output for one observation into <paramref name="output"/>.</summary>
    public void Evaluate(ReadOnlySpan<float> observation, Span<float> output)
    {
        Debug.Assert(observation.Length == _spec.ObservationSize, "observation width is checked by the caller at load");
        Debug.Assert(output.Length == _spec.OutputSize, "output width is checked by the caller at load");
        var s = _spec;
        var n = s.ObservationSize;

        var x = _a.AsSpan(0, n);
        TensorPrimitives.Subtract(observation, s.NormalizerMean, x);
        TensorPrimitives.Divide(x, s.NormalizerStd, x);
        TensorPrimitives.Clamp(x, -s.ObservationClip, s.ObservationClip, x);

        var cur = _a;
        var next = _b;
        for (var li = 0; li < s.Layers.Count; li++)
        {
            var l = s.Layers[li];
            var input = cur.AsSpan(0, l.InputSize);
            var y = next.AsSpan(0, l.OutputSize);
            var w = l.Weights.AsSpan();
            for (var o = 0; o < l.OutputSize; o++)
                y[o] = TensorPrimitives.Dot(w.Slice(o * l.InputSize, l.InputSize), input) + l.Bias[o];
            if (l.Activation == Activation.Tanh) TensorPrimitives.Tanh(y, y);
            (cur, next) = (next, cur);
        }

        var z = cur.AsSpan(0, s.OutputSize);
        if (s.OutputClip is { } c) TensorPrimitives.Clamp(z, -c, c, z);
        if (s.OutputScale is not null) TensorPrimitives.Multiply(z, s.OutputScale, z);
        if (s.OutputOffset is not null) TensorPrimitives.Add(z, s.OutputOffset, z);
        z.CopyTo(output);
    }
}

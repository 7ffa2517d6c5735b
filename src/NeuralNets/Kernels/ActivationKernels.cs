using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Mlsh.NeuralNets.Kernels;

/// <summary>Activation forward and backward in the TensorPrimitives shape (source spans, destination span).</summary>
internal static class ActivationKernels
{
    public static void Forward(Activation activation, Span<float> values)
    {
        if (activation == Activation.Tanh) TensorPrimitives.Tanh(values, values);
    }

    /// <summary>gradient ← gradient · f'(z), with f' expressed through the activation's output y.</summary>
    public static void Backward(Activation activation, ReadOnlySpan<float> output, Span<float> gradient)
    {
        if (activation != Activation.Tanh) return;
        TanhBackward(output, gradient);
    }

    /// <summary>g ← g · (1 − y²).</summary>
    public static void TanhBackward(ReadOnlySpan<float> y, Span<float> g)
    {
        if (y.Length != g.Length) throw new ArgumentException($"output has {y.Length} elements, gradient {g.Length}");
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var one = Vector256<float>.One;
            for (; i + 8 <= y.Length; i += 8)
            {
                var yv = Vector256.Create(y.Slice(i, 8));
                var gv = Vector256.Create((ReadOnlySpan<float>)g.Slice(i, 8));
                (gv * (one - yv * yv)).CopyTo(g.Slice(i, 8));
            }
        }
        for (; i < y.Length; i++) g[i] *= 1f - y[i] * y[i];
    }
}

using System.Numerics.Tensors;

namespace Mlsh.NeuralNets.Optimization;

/// <summary>Global-norm gradient clipping over one flat gradient span (all of a network's gradients at
/// once, after any MPI allreduce so every rank clips identically). Stateless, allocation-free.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales <paramref name="gradients"/> in place so their L2 norm is at most <paramref name="maxNorm"/>
    /// (PyTorch clip_grad_norm_ semantics). Returns the norm before clipping; a non-finite norm is
    /// returned unchanged and the gradients are left as they are so the caller can report it.
    /// </summary>
    public static float ClipGlobalNorm(Span<float> gradients, float maxNorm)
    {
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "max norm must be > 0");
        var norm = TensorPrimitives.Norm((ReadOnlySpan<float>)gradients);
        if (float.IsFinite(norm) && norm > maxNorm)
            TensorPrimitives.Multiply(gradients, maxNorm / (norm + 1e-6f), gradients);
        return norm;
    }
}

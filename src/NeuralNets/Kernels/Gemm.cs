using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mlsh.NeuralNets.Kernels;

/// <summary>
/// Single-threaded row-major matrix product C[m×n] (+)= A[m×k]·B[k×n], the only matmul the networks use
/// (forward x·W, weight gradient xᵀ·dz, input gradient dz·Wᵀ with Wᵀ materialized).
/// </summary>
/// <remarks>
/// A is addressed through two strides, A(i,p) = a[i·aRowStride + p·aColStride], so the weight gradient
/// reads xᵀ without a transpose copy. The micro-kernel keeps a 4-row × 16-column tile of C in eight
/// 256-bit registers and streams one row of B (two vectors) per step of k against four broadcasts of A:
/// each B strip of k×16 floats stays in L1 across all row blocks.
/// DESIGN: a dot-product formulation (W stored [out,in]) would need a horizontal reduction per output;
/// the broadcast-FMA tile needs none and vectorizes along the output features, which is what the
/// 64-wide MLSH layers have. Summation order is fixed (p ascending), so results are deterministic.
/// </remarks>
internal static unsafe class Gemm
{
    public static void Multiply(int m, int n, int k, float* a, int aRowStride, int aColStride, float* b, float* c, bool accumulate)
    {
        var j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; j + 16 <= n; j += 16) Strip16(m, n, k, a, aRowStride, aColStride, b + j, c + j, accumulate);
            for (; j + 8 <= n; j += 8) Strip8(m, n, k, a, aRowStride, aColStride, b + j, c + j, accumulate);
        }
        for (; j < n; j++) Column(m, n, k, a, aRowStride, aColStride, b + j, c + j, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Strip16(int m, int n, int k, float* a, int ars, int acs, float* b, float* c, bool accumulate)
    {
        var i = 0;
        for (; i + 4 <= m; i += 4)
        {
            var c0 = c + (nint)i * n;
            var c1 = c0 + n;
            var c2 = c1 + n;
            var c3 = c2 + n;
            Vector256<float> r00, r01, r10, r11, r20, r21, r30, r31;
            if (accumulate)
            {
                r00 = Vector256.Load(c0); r01 = Vector256.Load(c0 + 8);
                r10 = Vector256.Load(c1); r11 = Vector256.Load(c1 + 8);
                r20 = Vector256.Load(c2); r21 = Vector256.Load(c2 + 8);
                r30 = Vector256.Load(c3); r31 = Vector256.Load(c3 + 8);
            }
            else
            {
                r00 = r01 = r10 = r11 = r20 = r21 = r30 = r31 = Vector256<float>.Zero;
            }
            var a0 = a + (nint)i * ars;
            var a1 = a0 + ars;
            var a2 = a1 + ars;
            var a3 = a2 + ars;
            var bp = b;
            for (var p = 0; p < k; p++)
            {
                var b0 = Vector256.Load(bp);
                var b1 = Vector256.Load(bp + 8);
                bp += n;
                var x0 = Vector256.Create(*a0); a0 += acs;
                r00 = Vector256.MultiplyAddEstimate(x0, b0, r00);
                r01 = Vector256.MultiplyAddEstimate(x0, b1, r01);
                var x1 = Vector256.Create(*a1); a1 += acs;
                r10 = Vector256.MultiplyAddEstimate(x1, b0, r10);
                r11 = Vector256.MultiplyAddEstimate(x1, b1, r11);
                var x2 = Vector256.Create(*a2); a2 += acs;
                r20 = Vector256.MultiplyAddEstimate(x2, b0, r20);
                r21 = Vector256.MultiplyAddEstimate(x2, b1, r21);
                var x3 = Vector256.Create(*a3); a3 += acs;
                r30 = Vector256.MultiplyAddEstimate(x3, b0, r30);
                r31 = Vector256.MultiplyAddEstimate(x3, b1, r31);
            }
            r00.Store(c0); r01.Store(c0 + 8);
            r10.Store(c1); r11.Store(c1 + 8);
            r20.Store(c2); r21.Store(c2 + 8);
            r30.Store(c3); r31.Store(c3 + 8);
        }
        for (; i < m; i++)
        {
            var c0 = c + (nint)i * n;
            Vector256<float> r00, r01;
            if (accumulate) { r00 = Vector256.Load(c0); r01 = Vector256.Load(c0 + 8); }
            else r00 = r01 = Vector256<float>.Zero;
            var a0 = a + (nint)i * ars;
            var bp = b;
            for (var p = 0; p < k; p++)
            {
                var x0 = Vector256.Create(*a0); a0 += acs;
                r00 = Vector256.MultiplyAddEstimate(x0, Vector256.Load(bp), r00);
                r01 = Vector256.MultiplyAddEstimate(x0, Vector256.Load(bp + 8), r01);
                bp += n;
            }
            r00.Store(c0); r01.Store(c0 + 8);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Strip8(int m, int n, int k, float* a, int ars, int acs, float* b, float* c, bool accumulate)
    {
        var i = 0;
        for (; i + 4 <= m; i += 4)
        {
            var c0 = c + (nint)i * n;
            var c1 = c0 + n;
            var c2 = c1 + n;
            var c3 = c2 + n;
            Vector256<float> r0, r1, r2, r3;
            if (accumulate)
            {
                r0 = Vector256.Load(c0); r1 = Vector256.Load(c1); r2 = Vector256.Load(c2); r3 = Vector256.Load(c3);
            }
            else r0 = r1 = r2 = r3 = Vector256<float>.Zero;
            var a0 = a + (nint)i * ars;
            var a1 = a0 + ars;
            var a2 = a1 + ars;
            var a3 = a2 + ars;
            var bp = b;
            for (var p = 0; p < k; p++)
            {
                var b0 = Vector256.Load(bp);
                bp += n;
                r0 = Vector256.MultiplyAddEstimate(Vector256.Create(*a0), b0, r0); a0 += acs;
                r1 = Vector256.MultiplyAddEstimate(Vector256.Create(*a1), b0, r1); a1 += acs;
                r2 = Vector256.MultiplyAddEstimate(Vector256.Create(*a2), b0, r2); a2 += acs;
                r3 = Vector256.MultiplyAddEstimate(Vector256.Create(*a3), b0, r3); a3 += acs;
            }
            r0.Store(c0); r1.Store(c1); r2.Store(c2); r3.Store(c3);
        }
        for (; i < m; i++)
        {
            var c0 = c + (nint)i * n;
            var r0 = accumulate ? Vector256.Load(c0) : Vector256<float>.Zero;
            var a0 = a + (nint)i * ars;
            var bp = b;
            for (var p = 0; p < k; p++)
            {
                r0 = Vector256.MultiplyAddEstimate(Vector256.Create(*a0), Vector256.Load(bp), r0);
                a0 += acs;
                bp += n;
            }
            r0.Store(c0);
        }
    }

    /// <summary>One output column (value heads, narrow tails): a strided dot product per row.</summary>
    private static void Column(int m, int n, int k, float* a, int ars, int acs, float* b, float* c, bool accumulate)
    {
        for (var i = 0; i < m; i++)
        {
            var a0 = a + (nint)i * ars;
            var bp = b;
            var sum = accumulate ? c[(nint)i * n] : 0f;
            for (var p = 0; p < k; p++)
            {
                sum = MathF.FusedMultiplyAdd(*a0, *bp, sum);
                a0 += acs;
                bp += n;
            }
            c[(nint)i * n] = sum;
        }
    }
}

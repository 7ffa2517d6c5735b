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
/// 256-bit registers (eight 512-bit ones, 32 columns, where AVX-512 is accelerated) and streams one row of B
/// (two vectors) per step of k against four broadcasts of A:
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
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j + 32 <= n; j += 32) Strip32(m, n, k, a, aRowStride, aColStride, b + j, c + j, accumulate);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; j + 16 <= n; j += 16) Strip16(m, n, k, a, aRowStride, aColStride, b + j, c + j, accumulate);
            for (; j + 8 <= n; j += 8) Strip8(m, n, k, a, aRowStride, aColStride, b + j, c + j, accumulate);
        }
        if (Vector128.IsHardwareAccelerated)
        {
            for (; j + 4 <= n; j += 4) Strip4(m, n, k, a, aRowStride, aColStride, b + j, c + j, accumulate);
        }
        for (; j < n; j++) Column(m, n, k, a, aRowStride, aColStride, b + j, c + j, accumulate);
    }

    /// <summary>The <see cref="Strip16"/> tile widened to two 512-bit vectors per row where AVX-512 is on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Strip32(int m, int n, int k, float* a, int ars, int acs, float* b, float* c, bool accumulate)
    {
        var i = 0;
        for (; i + 4 <= m; i += 4)
        {
            var c0 = c + (nint)i * n;
            var c1 = c0 + n;
            var c2 = c1 + n;
            var c3 = c2 + n;
            Vector512<float> r00, r01, r10, r11, r20, r21, r30, r31;
            if (accumulate)
            {
                r00 = Vector512.Load(c0); r01 = Vector512.Load(c0 + 16);
                r10 = Vector512.Load(c1); r11 = Vector512.Load(c1 + 16);
                r20 = Vector512.Load(c2); r21 = Vector512.Load(c2 + 16);
                r30 = Vector512.Load(c3); r31 = Vector512.Load(c3 + 16);
            }
            else
            {
                r00 = r01 = r10 = r11 = r20 = r21 = r30 = r31 = Vector512<float>.Zero;
            }
            var a0 = a + (nint)i * ars;
            var a1 = a0 + ars;
            var a2 = a1 + ars;
            var a3 = a2 + ars;
            var bp = b;
            for (var p = 0; p < k; p++)
            {
                var b0 = Vector512.Load(bp);
                var b1 = Vector512.Load(bp + 16);
                bp += n;
                var x0 = Vector512.Create(*a0); a0 += acs;
                r00 = Vector512.MultiplyAddEstimate(x0, b0, r00);
                r01 = Vector512.MultiplyAddEstimate(x0, b1, r01);
                var x1 = Vector512.Create(*a1); a1 += acs;
                r10 = Vector512.MultiplyAddEstimate(x1, b0, r10);
                r11 = Vector512.MultiplyAddEstimate(x1, b1, r11);
                var x2 = Vector512.Create(*a2); a2 += acs;
                r20 = Vector512.MultiplyAddEstimate(x2, b0, r20);
                r21 = Vector512.MultiplyAddEstimate(x2, b1, r21);
                var x3 = Vector512.Create(*a3); a3 += acs;
                r30 = Vector512.MultiplyAddEstimate(x3, b0, r30);
                r31 = Vector512.MultiplyAddEstimate(x3, b1, r31);
            }
            r00.Store(c0); r01.Store(c0 + 16);
            r10.Store(c1); r11.Store(c1 + 16);
            r20.Store(c2); r21.Store(c2 + 16);
            r30.Store(c3); r31.Store(c3 + 16);
        }
        for (; i < m; i++)
        {
            var c0 = c + (nint)i * n;
            Vector512<float> r00, r01;
            if (accumulate) { r00 = Vector512.Load(c0); r01 = Vector512.Load(c0 + 16); }
            else r00 = r01 = Vector512<float>.Zero;
            var a0 = a + (nint)i * ars;
            var bp = b;
            for (var p = 0; p < k; p++)
            {
                var x0 = Vector512.Create(*a0); a0 += acs;
                r00 = Vector512.MultiplyAddEstimate(x0, Vector512.Load(bp), r00);
                r01 = Vector512.MultiplyAddEstimate(x0, Vector512.Load(bp + 16), r01);
                bp += n;
            }
            r00.Store(c0); r01.Store(c0 + 16);
        }
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

    /// <summary>Four columns (the master's logits over four sub-policies) in 128-bit registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Strip4(int m, int n, int k, float* a, int ars, int acs, float* b, float* c, bool accumulate)
    {
        var i = 0;
        for (; i + 4 <= m; i += 4)
        {
            var c0 = c + (nint)i * n;
            var c1 = c0 + n;
            var c2 = c1 + n;
            var c3 = c2 + n;
            Vector128<float> r0, r1, r2, r3;
            if (accumulate)
            {
                r0 = Vector128.Load(c0); r1 = Vector128.Load(c1); r2 = Vector128.Load(c2); r3 = Vector128.Load(c3);
            }
            else r0 = r1 = r2 = r3 = Vector128<float>.Zero;
            var a0 = a + (nint)i * ars;
            var a1 = a0 + ars;
            var a2 = a1 + ars;
            var a3 = a2 + ars;
            var bp = b;
            for (var p = 0; p < k; p++)
            {
                var b0 = Vector128.Load(bp);
                bp += n;
                r0 = Vector128.MultiplyAddEstimate(Vector128.Create(*a0), b0, r0); a0 += acs;
                r1 = Vector128.MultiplyAddEstimate(Vector128.Create(*a1), b0, r1); a1 += acs;
                r2 = Vector128.MultiplyAddEstimate(Vector128.Create(*a2), b0, r2); a2 += acs;
                r3 = Vector128.MultiplyAddEstimate(Vector128.Create(*a3), b0, r3); a3 += acs;
            }
            r0.Store(c0); r1.Store(c1); r2.Store(c2); r3.Store(c3);
        }
        for (; i < m; i++)
        {
            var c0 = c + (nint)i * n;
            var r0 = accumulate ? Vector128.Load(c0) : Vector128<float>.Zero;
            var a0 = a + (nint)i * ars;
            var bp = b;
            for (var p = 0; p < k; p++)
            {
                r0 = Vector128.MultiplyAddEstimate(Vector128.Create(*a0), Vector128.Load(bp), r0);
                a0 += acs;
                bp += n;
            }
            r0.Store(c0);
        }
    }

    /// <summary>
    /// One output column (value heads, narrow tails): four rows at a time with independent accumulators,
    /// so the FMAs pipeline instead of waiting on one dependency chain.
    /// </summary>
    private static void Column(int m, int n, int k, float* a, int ars, int acs, float* b, float* c, bool accumulate)
    {
        var i = 0;
        for (; i + 4 <= m; i += 4)
        {
            var a0 = a + (nint)i * ars;
            var a1 = a0 + ars;
            var a2 = a1 + ars;
            var a3 = a2 + ars;
            var bp = b;
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            if (accumulate)
            {
                s0 = c[(nint)i * n]; s1 = c[(nint)(i + 1) * n]; s2 = c[(nint)(i + 2) * n]; s3 = c[(nint)(i + 3) * n];
            }
            for (var p = 0; p < k; p++)
            {
                var bv = *bp;
                s0 = MathF.FusedMultiplyAdd(*a0, bv, s0); a0 += acs;
                s1 = MathF.FusedMultiplyAdd(*a1, bv, s1); a1 += acs;
                s2 = MathF.FusedMultiplyAdd(*a2, bv, s2); a2 += acs;
                s3 = MathF.FusedMultiplyAdd(*a3, bv, s3); a3 += acs;
                bp += n;
            }
            c[(nint)i * n] = s0; c[(nint)(i + 1) * n] = s1; c[(nint)(i + 2) * n] = s2; c[(nint)(i + 3) * n] = s3;
        }
        for (; i < m; i++)
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

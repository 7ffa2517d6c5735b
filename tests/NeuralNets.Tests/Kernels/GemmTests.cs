using Mlsh.NeuralNets.Kernels;

namespace Mlsh.NeuralNets.Tests.Kernels;

public class GemmTests
{
    private static double[] Reference(int m, int n, int k, float[] a, int ars, int acs, float[] b, float[] c0, bool accumulate)
    {
        var c = new double[m * n];
        for (var i = 0; i < m; i++)
        for (var j = 0; j < n; j++)
        {
            double s = accumulate ? c0[i * n + j] : 0;
            for (var p = 0; p < k; p++) s += (double)a[i * ars + p * acs] * b[p * n + j];
            c[i * n + j] = s;
        }
        return c;
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(4, 16, 8)]
    [InlineData(7, 37, 13)]   // every tail: 16-strip, 8-strip, scalar columns, 1-row remainder
    [InlineData(64, 64, 64)]
    [InlineData(3, 8, 5)]
    [InlineData(6, 12, 3)]   // 8-strip then 4-strip (master logits)
    [InlineData(9, 4, 70)]
    [InlineData(65, 1, 64)]   // value-head shape
    public unsafe void Multiply_MatchesDoubleReference_ForEveryTileAndTailShape(int m, int n, int k)
    {
        foreach (var (transposedA, accumulate) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            var a = GradientCheck.RandomArray(m * k, 1);
            var b = GradientCheck.RandomArray(k * n, 2);
            var c = GradientCheck.RandomArray(m * n, 3);
            var c0 = (float[])c.Clone();
            // transposed A is stored [k × m] and read with row stride 1, column stride m
            var (ars, acs) = transposedA ? (1, m) : (k, 1);
            var expected = Reference(m, n, k, a, ars, acs, b, c0, accumulate);
            fixed (float* pa = a) fixed (float* pb = b) fixed (float* pc = c)
                Gemm.Multiply(m, n, k, pa, ars, acs, pb, pc, accumulate);
            for (var i = 0; i < c.Length; i++)
                c[i].Should().BeApproximately((float)expected[i], 1e-4f * (1 + MathF.Abs((float)expected[i])) * MathF.Sqrt(k),
                    $"element {i} of {m}×{n}×{k} (transposedA {transposedA}, accumulate {accumulate})");
        }
    }
}

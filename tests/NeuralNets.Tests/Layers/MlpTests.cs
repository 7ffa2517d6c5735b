using Mlsh.NeuralNets.Layers;

namespace Mlsh.NeuralNets.Tests.Layers;

public class MlpTests
{
    private static Mlp Build(ulong seed, int input = 5, int output = 3, Initialization init = Initialization.Orthogonal)
    {
        var mlp = new Mlp(input, [7, 6], output, Activation.Tanh);
        mlp.Initialize(init, 1.2f, 0.7f, new SeededRandom(seed));
        // non-zero biases so their gradients are exercised
        foreach (var layer in mlp.Layers) GradientCheck.RandomArray(layer.OutputSize, seed + 99, 0.3f).CopyTo(layer.MutableBias);
        return mlp;
    }

    [Fact]
    public void Backward_MatchesFiniteDifferences_ForEveryWeightBiasAndInput()
    {
        const int batch = 9;
        var mlp = Build(3);
        var input = GradientCheck.RandomArray(batch * 5, 4);
        var weights = GradientCheck.RandomArray(batch * 3, 5);
        var output = new float[batch * 3];

        double Loss()
        {
            mlp.Infer(input, batch, output);
            double s = 0;
            for (var i = 0; i < output.Length; i++) s += (double)weights[i] * output[i];
            return s;
        }

        mlp.Forward(input, batch);
        mlp.Store.ZeroGradients();
        var inputGrad = new float[input.Length];
        mlp.Backward(weights, inputGrad);
        var analytic = mlp.Store.Gradients.ToArray();

        GradientCheck.WorstError(mlp.Store.Parameters, analytic, Loss).Error.Should().BeLessThan(2e-3);
        GradientCheck.WorstError(input, inputGrad, Loss).Error.Should().BeLessThan(2e-3);
    }

    [Fact]
    public void Backward_AccumulatesIntoGradients_UntilZeroed()
    {
        var mlp = Build(1);
        var input = GradientCheck.RandomArray(4 * 5, 2);
        var dOut = GradientCheck.RandomArray(4 * 3, 3);
        mlp.Forward(input, 4);
        mlp.Store.ZeroGradients();
        mlp.Backward(dOut);
        var once = mlp.Store.Gradients.ToArray();
        mlp.Backward(dOut);
        var twice = mlp.Store.Gradients.ToArray();
        for (var i = 0; i < once.Length; i++) twice[i].Should().BeApproximately(2 * once[i], 1e-5f);
    }

    [Fact]
    public void Infer_EqualsForward_AndLeavesTheTrainingCacheIntact()
    {
        var mlp = Build(7);
        var a = GradientCheck.RandomArray(6 * 5, 8);
        var b = GradientCheck.RandomArray(2 * 5, 9);
        var forward = mlp.Forward(a, 6).ToArray();
        var inferred = new float[6 * 3];
        mlp.Infer(a, 6, inferred);
        inferred.Should().Equal(forward);

        var dOut = GradientCheck.RandomArray(6 * 3, 10);
        mlp.Store.ZeroGradients();
        mlp.Backward(dOut);
        var expected = mlp.Store.Gradients.ToArray();

        mlp.Forward(a, 6);
        mlp.Infer(b, 2, new float[2 * 3]); // acting between forward and backward must not corrupt backward
        mlp.Store.ZeroGradients();
        mlp.Backward(dOut);
        mlp.Store.Gradients.ToArray().Should().Equal(expected);
    }

    [Fact]
    public void Infer_GivesEachRowTheSameBits_WhateverTheBatchSizeOrPosition()
    {
        // Acting on one env, a subset or all of them must not change an action: every row is summed in
        // the same order whether it falls in a 4-row tile or in the remainder.
        var mlp = new Mlp(40, [64, 64], 4, Activation.Tanh);
        mlp.Initialize(Initialization.Orthogonal, 1.4f, 1f, new SeededRandom(3));
        var input = GradientCheck.RandomArray(13 * 40, 4);
        var all = new float[13 * 4];
        mlp.Infer(input, 13, all);
        var one = new float[4];
        for (var r = 0; r < 13; r++)
        {
            mlp.Infer(input.AsSpan(r * 40, 40), 1, one);
            one.Should().Equal(all.Skip(r * 4).Take(4), $"row {r}");
        }
    }

    [Fact]
    public void Initialize_IsDeterministicForASeed_AndDiffersAcrossSeeds()
    {
        Build(5).Store.Parameters.ToArray().Should().Equal(Build(5).Store.Parameters.ToArray());
        Build(5).Store.Parameters.ToArray().Should().NotEqual(Build(6).Store.Parameters.ToArray());
    }

    [Theory]
    [InlineData(8, 4)]
    [InlineData(4, 8)]
    public void OrthogonalInit_GivesOrthonormalVectorsAlongTheSmallerDimension_ScaledByGain(int input, int output)
    {
        var mlp = new Mlp(input, [], output, Activation.Identity);
        mlp.Initialize(Initialization.Orthogonal, 1f, 2f, new SeededRandom(11));
        var w = mlp.Layers[0].Weights;
        var count = Math.Min(input, output);
        for (var a = 0; a < count; a++)
        for (var b = 0; b < count; b++)
        {
            double dot = 0;
            for (var t = 0; t < Math.Max(input, output); t++)
                dot += input >= output
                    ? (double)w[t * output + a] * w[t * output + b]   // columns
                    : (double)w[a * output + t] * w[b * output + t];  // rows
            dot.Should().BeApproximately(a == b ? 4.0 : 0.0, 1e-5, $"pair ({a},{b})");
        }
        mlp.Layers[0].Bias.ToArray().Should().OnlyContain(x => x == 0f);
    }

    [Fact]
    public void NormalizedColumnsInit_GivesEachOutputUnitAColumnOfNormGain()
    {
        var mlp = new Mlp(10, [], 4, Activation.Identity);
        mlp.Initialize(Initialization.NormalizedColumns, 1f, 0.5f, new SeededRandom(2));
        var w = mlp.Layers[0].Weights;
        for (var o = 0; o < 4; o++)
        {
            double s = 0;
            for (var i = 0; i < 10; i++) s += (double)w[i * 4 + o] * w[i * 4 + o];
            Math.Sqrt(s).Should().BeApproximately(0.5, 1e-5);
        }
    }

    [Fact]
    public void ForwardBackwardAndInfer_AllocateNothing_AfterWarmUp()
    {
        var mlp = new Mlp(30, [64, 64], 8, Activation.Tanh);
        mlp.Initialize(Initialization.Orthogonal, 1.4f, 0.01f, new SeededRandom(1));
        var input = GradientCheck.RandomArray(64 * 30, 2);
        var dOut = GradientCheck.RandomArray(64 * 8, 3);
        var output = new float[64 * 8];
        void Cycle()
        {
            mlp.Forward(input, 64);
            mlp.Backward(dOut);
            mlp.Infer(input, 1, output);
            mlp.Infer(input, 64, output);
        }
        Cycle();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 50; i++) Cycle();
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    [Fact]
    public void Forward_RejectsAnInputShorterThanBatchTimesInputSize()
    {
        var mlp = Build(1);
        Action act = () => mlp.Forward(new float[9], 2);
        act.Should().Throw<ArgumentException>().WithMessage("*9 elements, expected 2 × 5*");
    }

    [Fact]
    public void Backward_BeforeForward_Throws()
    {
        var act = () => Build(1).Backward(new float[3]);
        act.Should().Throw<InvalidOperationException>().WithMessage("*before Forward*");
    }

    [Fact]
    public void Layers_ExposeWeightsAsInByOutRowMajor_SoYEqualsXTimesWPlusB()
    {
        var mlp = new Mlp(3, [], 2, Activation.Identity);
        mlp.Initialize(Initialization.NormalizedColumns, 1f, 1f, new SeededRandom(4));
        var x = new float[] { 0.5f, -1f, 2f };
        var y = new float[2];
        mlp.Infer(x, 1, y);
        var w = mlp.Layers[0].Weights;
        var b = mlp.Layers[0].Bias;
        for (var o = 0; o < 2; o++)
            y[o].Should().BeApproximately(x[0] * w[0 * 2 + o] + x[1] * w[1 * 2 + o] + x[2] * w[2 * 2 + o] + b[o], 1e-6f);
    }
}

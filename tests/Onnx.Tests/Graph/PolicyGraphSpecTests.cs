using Mlsh.Onnx.Export;
using Mlsh.Onnx.Graph;

namespace Mlsh.Onnx.Tests.Graph;

public class PolicyGraphSpecTests
{
    private static PolicyGraphSpec Valid() => SyntheticBundle.Random(new Random(3), 6, [5], 2);

    [Fact]
    public void Validate_AcceptsSyntheticSpec() => Valid().Invoking(s => s.Validate("p")).Should().NotThrow();

    [Fact]
    public void Validate_Rejects_NormalizerMeanOfWrongLength() =>
        (Valid() with { NormalizerMean = new float[4] }).Invoking(s => s.Validate("sub_policy_1"))
            .Should().Throw<ArgumentException>().WithMessage("policy 'sub_policy_1': NormalizerMean: expected length 6 (ObservationSize), got 4");

    [Fact]
    public void Validate_Rejects_NonPositiveStd()
    {
        var s = Valid();
        s.NormalizerStd[2] = 0f;
        s.Invoking(x => x.Validate("p")).Should().Throw<ArgumentException>().WithMessage("*NormalizerStd[2]: expected a finite value > 0, got 0");
    }

    [Fact]
    public void Validate_Rejects_LayerThatDoesNotChain()
    {
        var s = Valid();
        var l = s.Layers[1];
        var bad = s with { Layers = [s.Layers[0], l with { InputSize = 7, Weights = new float[l.OutputSize * 7] }] };
        bad.Invoking(x => x.Validate("p")).Should().Throw<ArgumentException>()
            .WithMessage("*Layers[1].InputSize: expected 5 (output of the previous stage), got 7");
    }

    [Fact]
    public void Validate_Rejects_WeightsOfWrongCount()
    {
        var s = Valid();
        var bad = s with { Layers = [s.Layers[0] with { Weights = new float[29] }, s.Layers[1]] };
        bad.Invoking(x => x.Validate("p")).Should().Throw<ArgumentException>()
            .WithMessage("*Layers[0].Weights: expected 5x6 = 30 values (row-major [out x in]), got 29");
    }

    [Fact]
    public void Validate_Rejects_NonFiniteWeight()
    {
        var s = Valid();
        s.Layers[0].Weights[4] = float.NaN;
        s.Invoking(x => x.Validate("p")).Should().Throw<ArgumentException>().WithMessage("*Layers[0].Weights[4]: expected a finite value, got NaN");
    }

    [Fact]
    public void Validate_Rejects_OutputScaleOfWrongLength() =>
        (Valid() with { OutputScale = new float[3] }).Invoking(x => x.Validate("p"))
            .Should().Throw<ArgumentException>().WithMessage("*OutputScale: expected length 2 (output size), got 3");

    [Fact]
    public void Validate_Rejects_NonPositiveClip() =>
        (Valid() with { ObservationClip = 0f }).Invoking(x => x.Validate("p"))
            .Should().Throw<ArgumentException>().WithMessage("*ObservationClip: expected > 0, got 0");

    [Fact]
    public void Validate_Rejects_NoLayers() =>
        (Valid() with { Layers = [] }).Invoking(x => x.Validate("p"))
            .Should().Throw<ArgumentException>().WithMessage("*Layers: expected at least one layer, got none");
}

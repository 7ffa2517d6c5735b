using Mlsh.Core.Randomness;

namespace Mlsh.NeuralNets.Tests;

public class SeededRandomTests
{
    [Fact]
    public void SameSeed_GivesTheSameStream_AndDifferentSeedsDiffer()
    {
        var a = new SeededRandom(42);
        var b = new SeededRandom(42);
        var c = new SeededRandom(43);
        var sa = Enumerable.Range(0, 10).Select(_ => a.NextUInt64()).ToArray();
        Enumerable.Range(0, 10).Select(_ => b.NextUInt64()).Should().Equal(sa);
        Enumerable.Range(0, 10).Select(_ => c.NextUInt64()).Should().NotEqual(sa);
    }

    [Fact]
    public void Stream_IsCoresXoshiro256StarStarOfTheSameSeed_SoOldCheckpointsResume()
    {
        // Core.Tests pins that generator to the reference implementation's outputs.
        var r = new SeededRandom(42);
        var reference = new Xoshiro256StarStar(42);
        for (var i = 0; i < 100; i++) r.NextUInt64().Should().Be(reference.NextUInt64());
    }

    [Fact]
    public void SaveAndRestoreState_ResumesTheExactStream()
    {
        var r = new SeededRandom(7);
        r.NextGaussian(); // leaves a spare Gaussian pending
        var state = new ulong[SeededRandom.StateLength];
        r.SaveState(state);
        var expected = Enumerable.Range(0, 5).Select(_ => r.NextGaussian()).ToArray();
        var resumed = new SeededRandom(0);
        resumed.RestoreState(state);
        Enumerable.Range(0, 5).Select(_ => resumed.NextGaussian()).Should().Equal(expected);
    }

    [Fact]
    public void NextInt_IsUniformOverItsRange()
    {
        var r = new SeededRandom(1);
        var counts = new int[5];
        for (var i = 0; i < 50_000; i++) counts[r.NextInt(5)]++;
        counts.Should().OnlyContain(c => Math.Abs(c - 10_000) < 400);
    }

    [Fact]
    public void NextGaussian_HasZeroMeanAndUnitVariance()
    {
        var r = new SeededRandom(3);
        var xs = Enumerable.Range(0, 50_000).Select(_ => (double)r.NextGaussian()).ToArray();
        xs.Average().Should().BeApproximately(0, 0.02);
        xs.Select(x => x * x).Average().Should().BeApproximately(1, 0.03);
    }
}

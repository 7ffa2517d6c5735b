using Mlsh.Core.Randomness;

namespace Mlsh.Core.Tests.Randomness;

public class SplitMix64Tests
{
    [Fact]
    public void NextUInt64_MatchesTheReferenceSequenceForSeedZero()
    {
        // Reference values of Vigna's splitmix64.c seeded with 0.
        var r = new SplitMix64(0);
        r.NextUInt64().Should().Be(0xE220A8397B1DCDAFUL);
        r.NextUInt64().Should().Be(0x6E789E6AA1B965F4UL);
        r.NextUInt64().Should().Be(0x06C45D188009454FUL);
    }

    [Fact]
    public void ForEpisode_GivesDistinctStreamsPerSeedInstanceAndEpisode()
    {
        var a = SplitMix64.ForEpisode(1, 0, 0).NextUInt64();
        SplitMix64.ForEpisode(1, 0, 0).NextUInt64().Should().Be(a);
        SplitMix64.ForEpisode(2, 0, 0).NextUInt64().Should().NotBe(a);
        SplitMix64.ForEpisode(1, 1, 0).NextUInt64().Should().NotBe(a);
        SplitMix64.ForEpisode(1, 0, 1).NextUInt64().Should().NotBe(a);
    }

    [Fact]
    public void NextSymmetric_StaysInsideTheHalfWidth()
    {
        var r = new SplitMix64(42);
        for (var i = 0; i < 10_000; i++) Math.Abs(r.NextSymmetric(0.05)).Should().BeLessThanOrEqualTo(0.05);
    }
}

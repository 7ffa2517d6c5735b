namespace Mlsh.Environments.Discrete;

/// <summary>
/// Small deterministic PRNG (xoshiro256**, seeded by SplitMix64) for the discrete task families.
/// A value type: an environment instance holds one per agent and copies nothing on the heap.
/// </summary>
/// <remarks>
/// DESIGN: System.Random's algorithm is not specified across .NET versions; a fixed algorithm keeps
/// "same seed → bit-identical trajectories" true across runtimes.
/// </remarks>
internal struct DiscreteRng
{
    private ulong _s0, _s1, _s2, _s3;

    public DiscreteRng(ulong seed, ulong stream)
    {
        var x = seed ^ (0x9E3779B97F4A7C15UL * (stream + 1));
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 24 random bits (exactly representable as float).</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1f / (1 << 24));
}

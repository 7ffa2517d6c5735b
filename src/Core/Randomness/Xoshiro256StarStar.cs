namespace Mlsh.Core.Randomness;

/// <summary>
/// xoshiro256** 1.0 (Blackman and Vigna 2018), its 256-bit state seeded through <see cref="SplitMix64"/>
/// as the authors recommend: the one long-period generator behind the trainer's random stream
/// (NeuralNets' SeededRandom) and the discrete task families. A mutable struct: it allocates nothing,
/// and a copy continues the same sequence independently.
/// </summary>
/// <remarks>
/// DESIGN: System.Random's seeded algorithm is an implementation detail the runtime may change; checkpointed
/// runs and "same seed → bit-identical trajectories" need a fixed algorithm, and one implementation of it
/// keeps every caller's stream the same by construction. Not thread-safe: one instance per thread or per env.
/// </remarks>
public struct Xoshiro256StarStar
{
    /// <summary>Number of ulongs in <see cref="WriteState"/> / <see cref="FromState"/>.</summary>
    public const int StateLength = 4;

    private ulong _s0, _s1, _s2, _s3;

    /// <summary>The four state words are the first four outputs of <see cref="SplitMix64"/> seeded with
    /// <paramref name="seed"/> (never all zero).</summary>
    public Xoshiro256StarStar(ulong seed)
    {
        var sm = new SplitMix64(seed);
        _s0 = sm.NextUInt64();
        _s1 = sm.NextUInt64();
        _s2 = sm.NextUInt64();
        _s3 = sm.NextUInt64();
    }

    /// <summary>Stream <paramref name="stream"/> of <paramref name="seed"/> (e.g. one per environment instance):
    /// the seed offset by a distinct odd multiple of the golden ratio per stream before SplitMix64 seeding.</summary>
    public static Xoshiro256StarStar ForStream(ulong seed, ulong stream) =>
        new(seed ^ (0x9E3779B97F4A7C15UL * (stream + 1)));

    /// <summary>A generator continuing from a state written by <see cref="WriteState"/>.</summary>
    /// <exception cref="ArgumentException">Fewer than <see cref="StateLength"/> words, or all four zero
    /// (xoshiro's one invalid state: it would output zeros forever).</exception>
    public static Xoshiro256StarStar FromState(ReadOnlySpan<ulong> state)
    {
        if (state.Length < StateLength) throw new ArgumentException($"state needs {StateLength} elements, got {state.Length}", nameof(state));
        if ((state[0] | state[1] | state[2] | state[3]) == 0) throw new ArgumentException("an all-zero xoshiro state is invalid", nameof(state));
        var r = default(Xoshiro256StarStar);
        r._s0 = state[0]; r._s1 = state[1]; r._s2 = state[2]; r._s3 = state[3];
        return r;
    }

    /// <summary>Writes the four state words into <paramref name="state"/>[0..4].</summary>
    public readonly void WriteState(Span<ulong> state)
    {
        if (state.Length < StateLength) throw new ArgumentException($"state needs {StateLength} elements, got {state.Length}", nameof(state));
        state[0] = _s0; state[1] = _s1; state[2] = _s2; state[3] = _s3;
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

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));
}

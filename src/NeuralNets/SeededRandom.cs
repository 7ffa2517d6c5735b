using System.Numerics;

namespace Mlsh.NeuralNets;

/// <summary>
/// The one random stream used for initialization, action sampling and minibatch shuffling:
/// xoshiro256** seeded through SplitMix64, so the same seed gives the same sequence on every .NET
/// version and platform. Allocation-free.
/// </summary>
/// <remarks>
/// DESIGN: System.Random's seeded algorithm is an implementation detail the runtime may change;
/// a checkpointed run must reproduce its streams, so the generator and its state are ours.
/// Not thread-safe: give each thread (or each env column) its own instance via <see cref="Fork"/>.
/// </remarks>
public sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;
    private float _spareGaussian;
    private bool _hasSpare;

    /// <summary>Number of ulongs in <see cref="SaveState"/> / <see cref="RestoreState"/>.</summary>
    public const int StateLength = 6;

    public SeededRandom(ulong seed)
    {
        var sm = seed;
        _s0 = SplitMix(ref sm);
        _s1 = SplitMix(ref sm);
        _s2 = SplitMix(ref sm);
        _s3 = SplitMix(ref sm);
    }

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A new independent stream derived from this one's seed material and <paramref name="stream"/>
    /// (e.g. the env index); does not advance this stream.</summary>
    public SeededRandom Fork(ulong stream) => new(_s0 ^ (_s3 * 0x2545F4914F6CDD1DUL) ^ SplitMixOnce(stream));

    private static ulong SplitMixOnce(ulong x) => SplitMix(ref x);

    public ulong NextUInt64()
    {
        var result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="exclusiveMax"/>) without modulo bias.</summary>
    public int NextInt(int exclusiveMax)
    {
        if (exclusiveMax <= 0) throw new ArgumentOutOfRangeException(nameof(exclusiveMax), exclusiveMax, "must be positive");
        // Lemire's multiply-shift with rejection.
        var range = (ulong)exclusiveMax;
        var m = (UInt128)NextUInt64() * range;
        var low = (ulong)m;
        if (low < range)
        {
            var threshold = (0UL - range) % range;
            while (low < threshold)
            {
                m = (UInt128)NextUInt64() * range;
                low = (ulong)m;
            }
        }
        return (int)(m >> 64);
    }

    /// <summary>Standard normal sample (Box–Muller, computed in double, the spare kept for the next call).</summary>
    public float NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareGaussian;
        }
        double u1;
        do u1 = NextDouble(); while (u1 <= double.Epsilon);
        var u2 = NextDouble();
        var r = Math.Sqrt(-2.0 * Math.Log(u1));
        var theta = 2.0 * Math.PI * u2;
        _spareGaussian = (float)(r * Math.Sin(theta));
        _hasSpare = true;
        return (float)(r * Math.Cos(theta));
    }

    /// <summary>Fills <paramref name="destination"/> with standard normal samples.</summary>
    public void FillGaussian(Span<float> destination)
    {
        for (var i = 0; i < destination.Length; i++) destination[i] = NextGaussian();
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(Span<T> values)
    {
        for (var i = values.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>Writes the full generator state (for checkpoints) into <paramref name="state"/>[<see cref="StateLength"/>].</summary>
    public void SaveState(Span<ulong> state)
    {
        if (state.Length < StateLength) throw new ArgumentException($"state needs {StateLength} elements, got {state.Length}", nameof(state));
        state[0] = _s0; state[1] = _s1; state[2] = _s2; state[3] = _s3;
        state[4] = BitConverter.SingleToUInt32Bits(_spareGaussian);
        state[5] = _hasSpare ? 1UL : 0UL;
    }

    /// <summary>Restores a state written by <see cref="SaveState"/>.</summary>
    public void RestoreState(ReadOnlySpan<ulong> state)
    {
        if (state.Length < StateLength) throw new ArgumentException($"state needs {StateLength} elements, got {state.Length}", nameof(state));
        if ((state[0] | state[1] | state[2] | state[3]) == 0) throw new ArgumentException("an all-zero xoshiro state is invalid", nameof(state));
        _s0 = state[0]; _s1 = state[1]; _s2 = state[2]; _s3 = state[3];
        _spareGaussian = BitConverter.UInt32BitsToSingle((uint)state[4]);
        _hasSpare = state[5] != 0;
    }
}

using Mlsh.Core.Randomness;

namespace Mlsh.NeuralNets;

/// <summary>
/// The one random stream used for initialization, action sampling and minibatch shuffling:
/// xoshiro256** seeded through SplitMix64 (<see cref="Xoshiro256StarStar"/>), so the same seed gives the
/// same sequence on every .NET version and platform. Allocation-free.
/// </summary>
/// <remarks>
/// DESIGN: System.Random's seeded algorithm is an implementation detail the runtime may change;
/// a checkpointed run must reproduce its streams, so the generator and its state are ours.
/// Not thread-safe: give each thread (or each env column) its own instance via <see cref="Fork"/>.
/// </remarks>
public sealed class SeededRandom
{
    private Xoshiro256StarStar _generator;
    private float _spareGaussian;
    private bool _hasSpare;

    /// <summary>Number of ulongs in <see cref="SaveState"/> / <see cref="RestoreState"/>.</summary>
    public const int StateLength = Xoshiro256StarStar.StateLength + 2;

    public SeededRandom(ulong seed) => _generator = new Xoshiro256StarStar(seed);

    /// <summary>A new independent stream derived from this one's seed material and <paramref name="stream"/>
    /// (e.g. the env index); does not advance this stream.</summary>
    public SeededRandom Fork(ulong stream)
    {
        Span<ulong> s = stackalloc ulong[Xoshiro256StarStar.StateLength];
        _generator.WriteState(s);
        return new(s[0] ^ (s[3] * 0x2545F4914F6CDD1DUL) ^ new SplitMix64(stream).NextUInt64());
    }

    public ulong NextUInt64() => _generator.NextUInt64();

    /// <summary>Uniform in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => _generator.NextSingle();

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => _generator.NextDouble();

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
        _generator.WriteState(state);
        state[4] = BitConverter.SingleToUInt32Bits(_spareGaussian);
        state[5] = _hasSpare ? 1UL : 0UL;
    }

    /// <summary>Restores a state written by <see cref="SaveState"/>.</summary>
    public void RestoreState(ReadOnlySpan<ulong> state)
    {
        if (state.Length < StateLength) throw new ArgumentException($"state needs {StateLength} elements, got {state.Length}", nameof(state));
        _generator = Xoshiro256StarStar.FromState(state);
        _spareGaussian = BitConverter.UInt32BitsToSingle((uint)state[4]);
        _hasSpare = state[5] != 0;
    }
}

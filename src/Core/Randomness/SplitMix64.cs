namespace Mlsh.Core.Randomness;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast, statistically sound generator whose whole state
/// is one ulong, so a reset's random stream can be derived on the spot from (seed, instance, episode)
/// and replayed exactly. A mutable struct: copy it and both copies produce the same sequence.
/// </summary>
/// <remarks>DESIGN: System.Random's algorithm is an implementation detail that may change between .NET
/// versions; bit-identical trajectories across machines and runtime upgrades need our own generator.</remarks>
public struct SplitMix64
{
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>The generator for one episode of one instance: independent streams for every
    /// (seed, instance, episode) triple.</summary>
    public static SplitMix64 ForEpisode(ulong seed, int instance, long episode) =>
        new(Mix(Mix(Mix(seed) ^ (ulong)instance) ^ (ulong)episode));

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [-halfWidth, halfWidth).</summary>
    public double NextSymmetric(double halfWidth) => halfWidth * (2 * NextDouble() - 1);

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

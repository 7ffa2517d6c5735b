namespace Mlsh.Trainer.Mlsh;

/// <summary>
/// Derives the independent seeds of one run (network inits, shuffles, environment resets, task
/// sampling) from the run seed and a purpose tag, so that each stream is a pure function of
/// (seed, purpose, indices) and a resumed run re-derives exactly the streams it would have used.
/// </summary>
internal static class SeedStreams
{
    public const ulong Subpolicy = 1, SubpolicyShuffle = 2, Master = 3, MasterShuffle = 4, Env = 5, Tasks = 6, Acting = 7, Flat = 8, SubpolicyReset = 9;

    public static ulong Derive(ulong seed, ulong purpose, ulong a = 0, ulong b = 0)
    {
        var x = seed;
        x = Mix(x ^ (purpose * 0xD1B54A32D192ED03UL));
        x = Mix(x ^ (a * 0xAEF17502108EF2D9UL));
        x = Mix(x ^ (b * 0x9E3779B97F4A7C15UL));
        return x;
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

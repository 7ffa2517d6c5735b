using Mlsh.NeuralNets.Policies;

namespace Mlsh.TestSupport;

/// <summary>Networks that look trained, for export and inference parity tests (linked into each test project that needs them).</summary>
internal static class TrainedNetworks
{
    /// <summary>Spreads <paramref name="ac"/>'s parameters beyond the tiny output-layer init and fits its normalizer,
    /// so a parity test exercises every weight and the normalization, not a near-constant output.</summary>
    public static T Trained<T>(T ac, int seed) where T : ActorCritic
    {
        var rng = new Random(seed);
        var p = ac.Parameters;
        for (var i = 0; i < p.Length; i++) p[i] += 0.2f * (2f * rng.NextSingle() - 1f);
        var obs = new float[500 * ac.ObservationSize];
        for (var i = 0; i < obs.Length; i++) obs[i] = 3f * rng.NextSingle() + (i % ac.ObservationSize) * 0.1f;
        ac.Normalizer.Update(obs, 500);
        return ac;
    }
}

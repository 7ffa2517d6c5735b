using Mlsh.Environments.Discrete;
using Mlsh.Trainer.Configuration;
using Mlsh.Trainer.Mlsh;

namespace Mlsh.Trainer.Tests.Mlsh;

internal static class TrainerFixtures
{
    /// <summary>A small MovementBandits config: 4 instances × 50 steps, K = 2, N = 10, warm-up 3, joint 2.</summary>
    public static TrainConfig SmallBandits(string algorithm = "mlsh", int iterations = 20, ulong seed = 7) =>
        TrainConfig.Parse(SmallBanditsYaml(algorithm, iterations, seed), "test.yaml");

    /// <summary>The YAML of <see cref="SmallBandits"/>, with the joint phase's length and an optional
    /// <c>hierarchy.collapse_guard</c> block (its keys, one per line, without indentation).</summary>
    public static string SmallBanditsYaml(string algorithm = "mlsh", int iterations = 20, ulong seed = 7, int jointIterations = 2, string? collapseGuard = null)
    {
        var guard = collapseGuard is null ? "" : "\n  collapse_guard:\n" + string.Join('\n', collapseGuard.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "    " + l.Trim()));
        return $"""
            algorithm: {algorithm}
            task_family:
              kind: movement_bandits
            seed: {seed}
            iterations: {iterations}
            envs: 4
            rollout_steps: 50
            hierarchy:
              subpolicies: 2
              macro_steps: 10
              warmup_iterations: 3
              joint_iterations: {jointIterations}{guard}
            master:
              hidden: [16]
              learning_rate: 0.01
              epochs: 2
              minibatch_size: 16
            subpolicy:
              hidden: [16, 16]
              learning_rate: 0.001
              epochs: 2
              minibatch_size: 50
            checkpoint_every: 1000
            plot_every: 1000
            """;
    }

    public static MlshTrainer Create(TrainConfig config, MlshTrainerOptions? options = null)
    {
        var family = new MovementBanditsTaskFamily();
        return new MlshTrainer(config, family, [0, 1], options);
    }

    public static float[] AllParameters(MlshTrainer t)
    {
        var list = new List<float>();
        foreach (var p in t.Subpolicies)
        {
            list.AddRange(p.Parameters.ToArray());
            list.AddRange(p.Normalizer.Mean.ToArray());
            list.AddRange(p.Normalizer.Std.ToArray());
        }
        if (t.Master is { } m) list.AddRange(m.Parameters.ToArray());
        return list.ToArray();
    }
}

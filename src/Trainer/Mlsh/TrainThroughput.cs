using System.Diagnostics;
using Mlsh.Environments;
using Mlsh.Trainer.Configuration;

namespace Mlsh.Trainer.Mlsh;

/// <summary>
/// Measures environment steps per second of the whole MLSH loop (rollout with master and sub-policy
/// inference, GAE, PPO updates of master and sub-policies) against the environment alone stepped the
/// same number of times with a fixed action pattern, in one process. Used by `mlsh bench train`.
/// </summary>
public static class TrainThroughput
{
    /// <summary>Env steps/s of the environment alone: <paramref name="iterations"/> × envs × rollout_steps steps.</summary>
    public static double SimulationOnly(TrainConfig config, ITaskFamily family, int iterations)
    {
        using var env = family.CreateVectorEnv(config.Envs);
        var steps = config.RolloutSteps;
        void Run(int iteration)
        {
            env.Task = 0;
            env.Reset((ulong)iteration + 1);
            for (var t = 0; t < steps; t++)
            {
                if (env.ActionSpace.Kind == ActionKind.Discrete) env.ActionIndices.Fill(t % env.ActionSpace.Size);
                else
                {
                    var a = env.Actions;
                    for (var i = 0; i < a.Length; i++) a[i] = MathF.Sin(0.1f * t + i);
                }
                env.Step();
            }
        }
        Run(0); // warm-up: JIT, caches
        var sw = Stopwatch.StartNew();
        for (var i = 1; i <= iterations; i++) Run(i);
        return (double)iterations * steps * config.Envs / sw.Elapsed.TotalSeconds;
    }

    /// <summary>Env steps/s of <see cref="MlshTrainer.RunIteration"/> (after one untimed warm-up iteration).</summary>
    public static double Training(TrainConfig config, ITaskFamily family, int iterations)
    {
        using var trainer = new MlshTrainer(config, family, [0]);
        trainer.RunIteration();
        var before = trainer.EnvSteps;
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++) trainer.RunIteration();
        return (trainer.EnvSteps - before) / sw.Elapsed.TotalSeconds;
    }
}

using System.Diagnostics;

namespace Mlsh.MuJoCo.Benchmarks;

/// <summary>
/// The C# side of the like-for-like stepping benchmark: the loop of cstep_loop.c (warm-up on a scratch
/// data, then <c>steps</c> × [<see cref="StepLoopControlPattern"/>, <see cref="MjData.TryStep()"/>, reset on
/// divergence]) through this binding. Compare with <see cref="CStepLoop"/>.
/// </summary>
public static class ManagedStepLoop
{
    /// <summary>Loads <paramref name="mjcfPath"/> and runs the loop on it.</summary>
    public static StepLoopResult Run(string mjcfPath, long steps, long warmupSteps = 1000)
    {
        using var model = MjModel.FromXmlFile(mjcfPath);
        return Run(model, steps, warmupSteps);
    }

    /// <summary>Runs the loop on an already loaded model (the model is not modified).</summary>
    public static StepLoopResult Run(MjModel model, long steps, long warmupSteps = 1000)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        var pattern = new StepLoopControlPattern(model);

        using (var scratch = model.CreateData())
            RunSteps(scratch, pattern, warmupSteps);

        using var data = model.CreateData();
        var start = Stopwatch.GetTimestamp();
        var divergences = RunSteps(data, pattern, steps);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new StepLoopResult(steps, seconds, divergences, data.Qpos.ToArray());
    }

    private static long RunSteps(MjData data, StepLoopControlPattern pattern, long steps)
    {
        long divergences = 0;
        for (long k = 0; k < steps; k++)
        {
            pattern.Apply(k, data.Ctrl);
            var status = data.TryStep();
            if (status == MjStepStatus.Ok) continue;
            divergences++;
            // MuJoCo already reset the data for its BAD* warnings; a non-finite state needs our reset
            // (cstep_loop.c does exactly the same).
            if (status == MjStepStatus.NonFiniteState) data.Reset();
        }
        return divergences;
    }
}

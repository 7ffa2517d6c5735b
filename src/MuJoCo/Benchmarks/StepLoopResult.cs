namespace Mlsh.MuJoCo.Benchmarks;

/// <summary>Outcome of one reference stepping loop (C or C#).</summary>
/// <param name="Steps">Measured physics steps (warm-up excluded).</param>
/// <param name="Seconds">Wall time of the measured loop only (no load, compile or warm-up).</param>
/// <param name="Divergences">Steps that reported a divergence (and were reset).</param>
/// <param name="FinalQpos">qpos after the last step, to check that both loops simulated the same trajectory.</param>
public sealed record StepLoopResult(long Steps, double Seconds, long Divergences, double[] FinalQpos)
{
    /// <summary>Measured throughput, mj_step calls per second.</summary>
    public double StepsPerSecond => Steps / Seconds;
}

namespace Mlsh.MuJoCo.Benchmarks;

/// <summary>
/// The deterministic control pattern both reference loops apply (see cstep_loop.c, which computes the
/// same expression in the same order, so the two trajectories are bit-identical):
/// for step k and actuator i, <c>ctrl[i] = mid_i + half_i * sin(0.01 * k + i)</c>, where
/// mid_i = (lo_i + hi_i) * 0.5 and half_i = (hi_i - lo_i) * 0.5 from actuator_ctrlrange when the actuator
/// is ctrllimited, else mid_i = 0 and half_i = 1.
/// </summary>
/// <remarks>Immutable after construction; <see cref="Apply"/> allocates nothing and is thread-safe.</remarks>
public sealed class StepLoopControlPattern
{
    private readonly double[] _mid;
    private readonly double[] _half;

    public StepLoopControlPattern(MjModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var nu = model.Nu;
        _mid = new double[nu];
        _half = new double[nu];
        var range = model.ActuatorCtrlRange;
        var limited = model.ActuatorCtrlLimited;
        for (var i = 0; i < nu; i++)
        {
            if (limited[i] != 0)
            {
                double lo = range[2 * i], hi = range[2 * i + 1];
                _mid[i] = (lo + hi) * 0.5;
                _half[i] = (hi - lo) * 0.5;
            }
            else
            {
                _mid[i] = 0.0;
                _half[i] = 1.0;
            }
        }
    }

    /// <summary>Writes the controls of step <paramref name="step"/> into <paramref name="ctrl"/> (length nu).</summary>
    public void Apply(long step, Span<double> ctrl)
    {
        if (ctrl.Length != _mid.Length)
            throw new ArgumentException($"ctrl has {ctrl.Length} entries, the model has {_mid.Length} actuators", nameof(ctrl));
        for (var i = 0; i < ctrl.Length; i++)
            ctrl[i] = _mid[i] + _half[i] * Math.Sin(0.01 * step + i);
    }
}

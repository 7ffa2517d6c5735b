namespace Mlsh.Environments.Robots;

/// <summary>
/// The joint-level controller of a legged robot: policy actions become joint targets once per policy
/// step, and the PD law turns targets into torques every physics step (500 Hz by default), exactly as
/// the robot's motor drivers do. Pure functions over spans; no allocation, thread-safe.
/// </summary>
public static class JointPdLaw
{
    /// <summary>
    /// τ_i = clamp(kp_i (q*_i − q_i) + kd_i (qd*_i − qd_i), −τmax_i, τmax_i).
    /// With qd* = 0 this is the classic τ = kp (q* − q) − kd qd.
    /// </summary>
    /// <exception cref="ArgumentException">Any span's length differs from <paramref name="torque"/>'s.</exception>
    public static void ComputeTorques(
        ReadOnlySpan<double> q, ReadOnlySpan<double> qd,
        ReadOnlySpan<double> qTarget, ReadOnlySpan<double> qdTarget,
        ReadOnlySpan<double> kp, ReadOnlySpan<double> kd, ReadOnlySpan<double> torqueLimit,
        Span<double> torque)
    {
        var n = torque.Length;
        if (q.Length != n || qd.Length != n || qTarget.Length != n || qdTarget.Length != n ||
            kp.Length != n || kd.Length != n || torqueLimit.Length != n)
            ThrowLengthMismatch(n);
        // DESIGN: a scalar loop rather than TensorPrimitives: n is 2..12 joints, below the width where
        // the vectorised calls pay for their per-call overhead, and the clamp fuses into the same pass.
        for (var i = 0; i < n; i++)
        {
            var tau = kp[i] * (qTarget[i] - q[i]) + kd[i] * (qdTarget[i] - qd[i]);
            var lim = torqueLimit[i];
            torque[i] = tau > lim ? lim : tau < -lim ? -lim : tau;
        }
    }

    /// <summary>
    /// Maps policy actions to joint targets. Position mode: q* = clamp(default + scale·a, lo, hi), qd* = 0.
    /// Velocity mode: q* = q (unused), qd* = scale·a. Actions are clamped to [-1, 1]; a non-finite action
    /// component counts as 0 so one bad output cannot throw the robot across its range.
    /// </summary>
    public static void ActionsToTargets(
        ControlMode mode, ReadOnlySpan<float> actions,
        ReadOnlySpan<double> defaultPosition, ReadOnlySpan<double> actionScale,
        ReadOnlySpan<double> rangeLow, ReadOnlySpan<double> rangeHigh,
        Span<double> qTarget, Span<double> qdTarget)
    {
        var n = actions.Length;
        if (defaultPosition.Length != n || actionScale.Length != n || rangeLow.Length != n || rangeHigh.Length != n ||
            qTarget.Length != n || qdTarget.Length != n)
            ThrowLengthMismatch(n);
        for (var i = 0; i < n; i++)
        {
            var a = actions[i];
            double ac = float.IsFinite(a) ? Math.Clamp(a, -1f, 1f) : 0f;
            if (mode == ControlMode.Position)
            {
                qTarget[i] = Math.Clamp(defaultPosition[i] + actionScale[i] * ac, rangeLow[i], rangeHigh[i]);
                qdTarget[i] = 0;
            }
            else
            {
                qTarget[i] = defaultPosition[i];
                qdTarget[i] = actionScale[i] * ac;
            }
        }
    }

    /// <summary>Inverse of the position-mode map without clamping: the action that asks for q*.
    /// Used by scripted gaits to express joint targets as policy actions.</summary>
    public static float TargetToAction(double qTarget, double defaultPosition, double actionScale) =>
        (float)Math.Clamp((qTarget - defaultPosition) / actionScale, -1.0, 1.0);

    private static void ThrowLengthMismatch(int n) =>
        throw new ArgumentException($"every joint span must have the same length as the output ({n})");
}

namespace Mlsh.MuJoCo;

/// <summary>
/// The simulation became numerically unstable during a step (MuJoCo raised mjWARN_BADQPOS/QVEL/QACC/CTRL,
/// or qpos/qvel left the finite range). The episode must be reset: MuJoCo has already reset the data
/// for the BAD* warnings, and a non-finite state is unusable.
/// </summary>
public sealed class MjPhysicsDivergenceException : MjException
{
    public MjPhysicsDivergenceException(string modelSource, MjDivergence divergence)
        : base("mj_step", $"physics diverged in model '{modelSource}' at t={divergence.Time:R} s: {divergence.Describe()}; reset the episode")
    {
        Divergence = divergence;
    }

    public MjDivergence Divergence { get; }
}

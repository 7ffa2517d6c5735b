namespace Mlsh.MuJoCo;

/// <summary>Outcome of one physics step. Anything but <see cref="Ok"/> means the instance must be reset.</summary>
public enum MjStepStatus
{
    Ok = 0,
    /// <summary>mjWARN_BADQPOS: NaN, Inf or |x| &gt; 1e10 in qpos; MuJoCo reset the data.</summary>
    BadQpos,
    /// <summary>mjWARN_BADQVEL: bad number in qvel; MuJoCo reset the data.</summary>
    BadQvel,
    /// <summary>mjWARN_BADQACC: bad number in qacc (typically an exploding simulation); MuJoCo reset the data.</summary>
    BadQacc,
    /// <summary>mjWARN_BADCTRL: bad number in ctrl; MuJoCo zeroed the controls.</summary>
    BadCtrl,
    /// <summary>qpos or qvel is NaN/Inf after the step (caught before MuJoCo's next check would).</summary>
    NonFiniteState,
}

/// <summary>Details of the last divergence of an <see cref="MjData"/>.</summary>
/// <param name="Status">What went wrong.</param>
/// <param name="Time">Simulation time at the start of the failing step, in seconds.</param>
/// <param name="Index">MuJoCo's warning info (the offending qpos/dof/actuator index); for
/// <see cref="MjStepStatus.NonFiniteState"/> the first non-finite entry of qpos, or nq + its index in qvel.</param>
public readonly record struct MjDivergence(MjStepStatus Status, double Time, int Index)
{
    /// <summary>One-line human description, e.g. "bad qacc (mjWARN_BADQACC) at index 3".</summary>
    public string Describe() => Status switch
    {
        MjStepStatus.BadQpos => $"bad qpos (mjWARN_BADQPOS) at index {Index}",
        MjStepStatus.BadQvel => $"bad qvel (mjWARN_BADQVEL) at index {Index}",
        MjStepStatus.BadQacc => $"bad qacc (mjWARN_BADQACC) at dof {Index}",
        MjStepStatus.BadCtrl => $"bad ctrl (mjWARN_BADCTRL) at actuator {Index}",
        MjStepStatus.NonFiniteState => $"non-finite value at index {Index} of [qpos, qvel]",
        _ => "no divergence",
    };
}

using Mlsh.MuJoCo.Interop;

namespace Mlsh.MuJoCo;

/// <summary>MuJoCo's warning kinds (values are mjtWarning, indices of mjData.warning).</summary>
public enum MjWarning
{
    /// <summary>(Near) singular inertia matrix.</summary>
    Inertia = mjtWarning.mjWARN_INERTIA,
    /// <summary>Too many contacts for nconmax: contacts were dropped.</summary>
    ContactFull = mjtWarning.mjWARN_CONTACTFULL,
    /// <summary>Too many constraints for njmax: constraints were dropped.</summary>
    ConstraintFull = mjtWarning.mjWARN_CNSTRFULL,
    VisualGeomFull = mjtWarning.mjWARN_VGEOMFULL,
    BadQpos = mjtWarning.mjWARN_BADQPOS,
    BadQvel = mjtWarning.mjWARN_BADQVEL,
    BadQacc = mjtWarning.mjWARN_BADQACC,
    BadCtrl = mjtWarning.mjWARN_BADCTRL,
}

using Mlsh.Runtime.Policies;

namespace Mlsh.Runtime.Control;

/// <summary>
/// The lock-free mailbox between operator inputs (ROS /mlsh/command, MQTT cmd topic; any thread) and the control
/// thread. Every member is a single word written atomically; the control thread polls it once per cycle.
/// </summary>
public sealed class OperatorCommands
{
    private int _estop;
    private int _forcedSkill = -1;
    private MasterModel? _pendingMaster;
    private MasterModel? _retiredMaster;

    /// <summary>Latches the e-stop: safe mode until <see cref="Resume"/>.</summary>
    public void EmergencyStop() => Volatile.Write(ref _estop, 1);

    /// <summary>Releases the e-stop; other faults still have to clear.</summary>
    public void Resume() => Volatile.Write(ref _estop, 0);

    public bool EmergencyStopActive => Volatile.Read(ref _estop) != 0;

    /// <summary>Forces sub-policy <paramref name="skill"/> at every master tick (-1 returns control to the master).</summary>
    public void ForceSkill(int skill) => Volatile.Write(ref _forcedSkill, skill);

    public int ForcedSkill => Volatile.Read(ref _forcedSkill);

    /// <summary>Offers a validated master; the controller swaps it in at its next master tick. A master offered
    /// before the previous one was taken replaces it (the displaced one is returned for disposal).</summary>
    public MasterModel? OfferMaster(MasterModel master) => Interlocked.Exchange(ref _pendingMaster, master);

    /// <summary>True while an offered master waits for the next master tick.</summary>
    public bool MasterPending => Volatile.Read(ref _pendingMaster) is not null;

    /// <summary>The master the controller swapped out, for the loader thread to dispose (never disposed on the control thread).</summary>
    public MasterModel? TakeRetiredMaster() => Interlocked.Exchange(ref _retiredMaster, null);

    internal MasterModel? TakePendingMaster() => Interlocked.Exchange(ref _pendingMaster, null);

    // Only MasterLoader offers masters, and it collects the retiree of one swap before offering the next, so
    // this slot is empty whenever the control thread fills it.
    internal void Retire(MasterModel old) => Volatile.Write(ref _retiredMaster, old);
}

using Mlsh.Runtime.Policies;

namespace Mlsh.Runtime.Control;

/// <summary>
/// The lock-free mailbox between operator inputs (ROS /mlsh/command, MQTT cmd topic; any thread) and the control
/// thread. Every member is a single word written atomically; the control thread polls it once per cycle.
/// </summary>
public sealed class OperatorCommands
{
    private int _estop;
    // (generation << 48) | ((skill + 1) << 32) | duration cycles: one word, so skill and duration of an override
    // can never be read torn; the generation makes a repeated identical override restart its duration.
    private long _override;
    private MasterModel? _pendingMaster;
    private MasterModel? _retiredMaster;
    private MasterModel? _pendingShadow;
    private MasterModel? _retiredShadow;
    private int _shadowVerdict;

    /// <summary>Latches the e-stop: safe mode until <see cref="Resume"/>.</summary>
    public void EmergencyStop() => Volatile.Write(ref _estop, 1);

    /// <summary>Releases the e-stop; other faults still have to clear.</summary>
    public void Resume() => Volatile.Write(ref _estop, 0);

    public bool EmergencyStopActive => Volatile.Read(ref _estop) != 0;

    /// <summary>Forces sub-policy <paramref name="skill"/> from the next master tick until released (-1 returns control to the master at once).</summary>
    public void ForceSkill(int skill) => ForceSkill(skill, 0);

    /// <summary>
    /// Forces sub-policy <paramref name="skill"/> from the next master tick for <paramref name="durationCycles"/> control
    /// cycles (0: until released); when it expires the master's own choice of its last tick takes over at once.
    /// A new override replaces the previous one; -1 releases.
    /// </summary>
    public void ForceSkill(int skill, long durationCycles)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(skill, -1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(skill, 0xFFFE);
        ArgumentOutOfRangeException.ThrowIfNegative(durationCycles);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(durationCycles, uint.MaxValue);
        long seen, next;
        do
        {
            seen = Volatile.Read(ref _override);
            var generation = ((seen >> 48) + 1) & 0x7FFF;
            next = (generation << 48) | ((long)(skill + 1) << 32) | durationCycles;
        } while (Interlocked.CompareExchange(ref _override, next, seen) != seen);
    }

    /// <summary>The skill of the latest override request (-1: none or released).</summary>
    public int ForcedSkill => (int)((Volatile.Read(ref _override) >> 32) & 0xFFFF) - 1;

    /// <summary>The packed override word (control thread decodes it; see <see cref="ForceSkill(int, long)"/>).</summary>
    internal long OverrideWord => Volatile.Read(ref _override);

    /// <summary>
    /// Offers a validated candidate master to run in shadow: from the next master tick the controller evaluates it
    /// beside the active master and counts agreement, but never acts on it. Returns a displaced, not yet taken
    /// candidate for disposal.
    /// </summary>
    public MasterModel? OfferShadow(MasterModel candidate) => Interlocked.Exchange(ref _pendingShadow, candidate);

    /// <summary>True while an offered shadow waits for the next master tick.</summary>
    public bool ShadowPending => Volatile.Read(ref _pendingShadow) is not null;

    /// <summary>At the next master tick, the shadow becomes the active master (counted as a master swap).</summary>
    public void PromoteShadow() => Volatile.Write(ref _shadowVerdict, ShadowPromote);

    /// <summary>At the next master tick, the shadow is dropped (the active master never changed).</summary>
    public void DropShadow() => Volatile.Write(ref _shadowVerdict, ShadowDrop);

    /// <summary>A dropped shadow, for a non-control thread to dispose.</summary>
    public MasterModel? TakeRetiredShadow() => Interlocked.Exchange(ref _retiredShadow, null);

    internal const int ShadowPromote = 1, ShadowDrop = 2;

    internal int TakeShadowVerdict() => Interlocked.Exchange(ref _shadowVerdict, 0);

    internal MasterModel? TakePendingShadow() => Interlocked.Exchange(ref _pendingShadow, null);

    internal void RetireShadow(MasterModel old) => Volatile.Write(ref _retiredShadow, old);

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

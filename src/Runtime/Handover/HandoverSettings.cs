namespace Mlsh.Runtime.Handover;

/// <summary>When a shadow master may take over. Immutable; validated on construction by <see cref="Validate"/>.</summary>
public sealed record HandoverSettings
{
    /// <summary>The candidate's lower confidence bound on success must exceed this (0..1).</summary>
    public double Threshold { get; init; } = 0.8;
    /// <summary>One-sided confidence of the bound (0.95: the candidate is at least that good with 95 % confidence).</summary>
    public double Confidence { get; init; } = 0.95;
    public BoundMethod Method { get; init; } = BoundMethod.ClopperPearson;
    /// <summary>Master ticks the candidate must have run in shadow on the robot before a decision.</summary>
    public int MinShadowTicks { get; init; } = 10;
    /// <summary>How long to wait for those ticks (the robot may be in safe mode, where the master does not tick).</summary>
    public TimeSpan ShadowTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <exception cref="ArgumentException">A value out of range (one line naming it).</exception>
    public HandoverSettings Validate()
    {
        if (!(Threshold >= 0 && Threshold < 1)) throw new ArgumentException($"handover threshold must be in [0, 1), got {Threshold}");
        if (!(Confidence > 0.5 && Confidence < 1)) throw new ArgumentException($"handover confidence must be in (0.5, 1), got {Confidence}");
        if (MinShadowTicks < 0) throw new ArgumentException($"handover min shadow ticks must be ≥ 0, got {MinShadowTicks}");
        return this;
    }
}

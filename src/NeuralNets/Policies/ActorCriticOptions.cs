namespace Mlsh.NeuralNets.Policies;

/// <summary>Shape and initialization of an actor-critic. Defaults follow the MLSH paper (two tanh layers of 64).</summary>
public sealed record ActorCriticOptions
{
    public required int ObservationSize { get; init; }
    /// <summary>Action dimensions (Gaussian) or number of choices (categorical).</summary>
    public required int ActionSize { get; init; }
    /// <summary>Hidden layer widths, shared by the policy and the value network.</summary>
    public IReadOnlyList<int> HiddenSizes { get; init; } = [64, 64];
    public Activation HiddenActivation { get; init; } = Activation.Tanh;
    public Initialization Initialization { get; init; } = Initialization.Orthogonal;
    /// <summary>Initial log σ of the Gaussian head (ignored by the categorical one).</summary>
    public float InitialLogStd { get; init; }
    /// <summary>Normalized observations are clipped to ±this.</summary>
    public float ObservationClip { get; init; } = 5f;
    /// <summary>Seed of the weight initialization.</summary>
    public ulong Seed { get; init; }

    internal void Validate()
    {
        if (ObservationSize < 1) throw new ArgumentOutOfRangeException(nameof(ObservationSize), ObservationSize, "observation size must be ≥ 1");
        if (ActionSize < 1) throw new ArgumentOutOfRangeException(nameof(ActionSize), ActionSize, "action size must be ≥ 1");
        ArgumentNullException.ThrowIfNull(HiddenSizes);
        foreach (var h in HiddenSizes)
            if (h < 1) throw new ArgumentOutOfRangeException(nameof(HiddenSizes), h, "hidden widths must be ≥ 1");
        if (!float.IsFinite(InitialLogStd)) throw new ArgumentOutOfRangeException(nameof(InitialLogStd), InitialLogStd, "must be finite");
    }
}

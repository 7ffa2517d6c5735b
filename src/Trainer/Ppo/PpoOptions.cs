namespace Mlsh.Trainer.Ppo;

/// <summary>
/// Hyperparameters of one network's PPO updates. Defaults are the MLSH paper's sub-policy settings;
/// <see cref="Master"/> gives the master's (learning rate 1e-2). Immutable.
/// </summary>
public sealed record PpoOptions
{
    /// <summary>Adam step size (per network: sub-policies 3e-4, master 1e-2).</summary>
    public float LearningRate { get; init; } = 3e-4f;
    public float AdamEpsilon { get; init; } = 1e-5f;
    /// <summary>Discount γ used by the caller's <see cref="Gae"/> call.</summary>
    public float Gamma { get; init; } = 0.99f;
    /// <summary>GAE λ used by the caller's <see cref="Gae"/> call.</summary>
    public float Lambda { get; init; } = 0.98f;
    /// <summary>Surrogate clip ε: ratios outside [1 − ε, 1 + ε] stop contributing gradient.</summary>
    public float ClipRange { get; init; } = 0.2f;
    public int Epochs { get; init; } = 10;
    /// <summary>Rows per gradient step; the last minibatch of an epoch may be smaller.</summary>
    public int MinibatchSize { get; init; } = 64;
    /// <summary>Weight of mean((V − R)²) in the loss.</summary>
    public float ValueLossCoefficient { get; init; } = 1f;
    /// <summary>Weight of the entropy bonus (subtracted from the loss).</summary>
    public float EntropyCoefficient { get; init; }
    /// <summary>Global L2 norm the gradient is clipped to; +∞ disables clipping.</summary>
    public float MaxGradientNorm { get; init; } = 0.5f;
    /// <summary>Standardize advantages over the rows of each update.</summary>
    public bool NormalizeAdvantages { get; init; } = true;
    /// <summary>Fold the update's observations into the policy's normalizer first (PPO1 order), unless it is frozen.</summary>
    public bool UpdateNormalizer { get; init; } = true;
    /// <summary>Seed of the minibatch shuffling stream.</summary>
    public ulong Seed { get; init; }

    public static PpoOptions SubPolicy => new();
    public static PpoOptions Master => new() { LearningRate = 1e-2f };

    internal void Validate()
    {
        if (!(LearningRate >= 0) || float.IsInfinity(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "learning rate must be finite and ≥ 0");
        if (!(ClipRange > 0)) throw new ArgumentOutOfRangeException(nameof(ClipRange), ClipRange, "clip range must be > 0");
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "epochs must be ≥ 1");
        if (MinibatchSize < 1) throw new ArgumentOutOfRangeException(nameof(MinibatchSize), MinibatchSize, "minibatch size must be ≥ 1");
        if (!(MaxGradientNorm > 0)) throw new ArgumentOutOfRangeException(nameof(MaxGradientNorm), MaxGradientNorm, "max gradient norm must be > 0 (+∞ disables)");
        if (!(ValueLossCoefficient >= 0) || !(EntropyCoefficient >= 0)) throw new ArgumentOutOfRangeException(nameof(ValueLossCoefficient), "loss coefficients must be ≥ 0");
    }
}

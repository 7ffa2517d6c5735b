using Mlsh.NeuralNets.Distributions;

namespace Mlsh.NeuralNets.Policies;

/// <summary>
/// Continuous actor-critic (an MLSH sub-policy): the policy network outputs the action mean, a
/// state-independent log σ vector (<see cref="LogStd"/>, last in the parameter store) gives the spread.
/// The environment receives actions clipped to ±<see cref="ActionClip"/> (<see cref="ClipActions"/>); PPO
/// stores and evaluates the unclipped samples so log-probabilities stay exact.
/// </summary>
/// <inheritdoc cref="ActorCritic"/>
public sealed class GaussianActorCritic : ActorCritic
{
    private readonly int _logStdOffset;
    private float[] _mean = [];
    private float[] _trainMean = [];
    private float[] _trainActions = [];
    private float[] _meanGrad = [];
    private int _trainBatch;

    /// <summary>Builds and initializes (policy output gain 0.01, value output gain 1) from <see cref="ActorCriticOptions.Seed"/>.</summary>
    public GaussianActorCritic(ActorCriticOptions options) : base(options, options.ActionSize, options.ActionSize)
    {
        _logStdOffset = Store.Reserve(options.ActionSize);
        var random = new SeededRandom(options.Seed);
        var hiddenGain = options.Initialization == Initialization.Orthogonal ? MathF.Sqrt(2) : 1f;
        PolicyNetwork.Initialize(options.Initialization, hiddenGain, 0.01f, random);
        ValueNetwork.Initialize(options.Initialization, hiddenGain, 1f, random);
        Parameters.Slice(_logStdOffset, options.ActionSize).Fill(options.InitialLogStd);
    }

    public override PolicyKind Kind => PolicyKind.Gaussian;
    public override int ActionWidth => ActionSize;

    /// <summary>Environment actions are limited to ±ActionClip (the env contract is [-1, 1]).</summary>
    public float ActionClip => 1f;

    /// <summary>log σ per action dimension, a view into <see cref="ActorCritic.Parameters"/>.</summary>
    public ReadOnlySpan<float> LogStd => Store.Parameters.Slice(_logStdOffset, ActionSize);
    /// <summary>Offset of log σ in the parameter store.</summary>
    public int LogStdOffset => _logStdOffset;

    /// <summary>
    /// Samples a ~ N(μ(s), σ²) for <paramref name="batch"/> raw observations; writes the unclipped actions
    /// [batch × ActionSize], their log-probabilities and V(s).
    /// </summary>
    public void Act(ReadOnlySpan<float> observations, int batch, SeededRandom random, Span<float> actions, Span<float> logProbs, Span<float> values)
    {
        ArgumentNullException.ThrowIfNull(random);
        var mean = Means(observations, batch, out var normalized);
        DiagonalGaussian.Sample(mean, LogStd, batch, random, actions);
        DiagonalGaussian.LogProb(mean, LogStd, actions, batch, logProbs);
        ValueNetwork.Infer(normalized, batch, values);
    }

    /// <summary>The deterministic action μ(s) (unclipped), for evaluation and deployment.</summary>
    public void ActDeterministic(ReadOnlySpan<float> observations, int batch, Span<float> actions)
    {
        var mean = Means(observations, batch, out _);
        mean.CopyTo(actions);
    }

    /// <summary>destination = clamp(actions, ±ActionClip): what the environment should receive.</summary>
    public void ClipActions(ReadOnlySpan<float> actions, Span<float> destination)
    {
        if (destination.Length < actions.Length) throw new ArgumentException($"destination has {destination.Length} elements, expected {actions.Length}", nameof(destination));
        for (var i = 0; i < actions.Length; i++) destination[i] = Math.Clamp(actions[i], -ActionClip, ActionClip);
    }

    private ReadOnlySpan<float> Means(ReadOnlySpan<float> observations, int batch, out ReadOnlySpan<float> normalized)
    {
        normalized = NormalizeForInference(observations, batch);
        _mean = Grow(_mean, batch * ActionSize);
        var mean = _mean.AsSpan(0, batch * ActionSize);
        PolicyNetwork.Infer(normalized, batch, mean);
        return mean;
    }

    private protected override void EvaluateHead(ReadOnlySpan<float> head, ReadOnlySpan<float> actions, int batch, Span<float> logProbs, Span<float> entropies)
    {
        var n = batch * ActionSize;
        _trainMean = Grow(_trainMean, n);
        _trainActions = Grow(_trainActions, n);
        head[..n].CopyTo(_trainMean);
        actions[..n].CopyTo(_trainActions);
        _trainBatch = batch;
        DiagonalGaussian.LogProb(head, LogStd, actions, batch, logProbs);
        entropies[..batch].Fill(DiagonalGaussian.Entropy(LogStd));
    }

    private protected override void BackwardHead(ReadOnlySpan<float> logProbGradients, ReadOnlySpan<float> entropyGradients)
    {
        var batch = _trainBatch;
        if (batch == 0) throw new InvalidOperationException("Backward called before EvaluateActions");
        _meanGrad = Grow(_meanGrad, batch * ActionSize);
        var meanGrad = _meanGrad.AsSpan(0, batch * ActionSize);
        DiagonalGaussian.Backward(_trainMean, LogStd, _trainActions, batch, logProbGradients, entropyGradients, meanGrad,
            Store.Gradients.Slice(_logStdOffset, ActionSize));
        PolicyNetwork.Backward(meanGrad);
    }
}

using Mlsh.NeuralNets.Distributions;

namespace Mlsh.NeuralNets.Policies;

/// <summary>
/// Discrete actor-critic (the MLSH master choosing a sub-policy): the policy network outputs logits over
/// <see cref="ActorCritic.ActionSize"/> choices. In training batches the chosen index is stored as a float.
/// </summary>
/// <inheritdoc cref="ActorCritic"/>
public sealed class CategoricalActorCritic : ActorCritic
{
    private float[] _logits = [];
    private float[] _logProbabilities = [];
    private float[] _trainLogProbabilities = [];
    private float[] _trainEntropies = [];
    private float[] _logitGrad = [];
    private int[] _trainActions = [];
    private int _trainBatch;

    /// <summary>Builds and initializes (policy output gain 0.01, value output gain 1) from <see cref="ActorCriticOptions.Seed"/>.</summary>
    public CategoricalActorCritic(ActorCriticOptions options) : base(options, options.ActionSize, 0)
    {
        var random = new SeededRandom(options.Seed);
        var hiddenGain = options.Initialization == Initialization.Orthogonal ? MathF.Sqrt(2) : 1f;
        PolicyNetwork.Initialize(options.Initialization, hiddenGain, 0.01f, random);
        ValueNetwork.Initialize(options.Initialization, hiddenGain, 1f, random);
    }

    public override PolicyKind Kind => PolicyKind.Categorical;
    public override int ActionWidth => 1;

    /// <summary>Samples a choice per raw observation; writes the choices, their log-probabilities and V(s).</summary>
    public void Act(ReadOnlySpan<float> observations, int batch, SeededRandom random, Span<int> actions, Span<float> logProbs, Span<float> values)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (actions.Length < batch || logProbs.Length < batch || values.Length < batch)
            throw new ArgumentException($"actions/logProbs/values need {batch} elements, got {actions.Length}/{logProbs.Length}/{values.Length}");
        var normalized = NormalizeForInference(observations, batch);
        var n = batch * ActionSize;
        _logits = Grow(_logits, n);
        _logProbabilities = Grow(_logProbabilities, n);
        PolicyNetwork.Infer(normalized, batch, _logits);
        Categorical.LogSoftmax(_logits, batch, ActionSize, _logProbabilities);
        Categorical.Sample(_logProbabilities, batch, ActionSize, random, actions);
        for (var b = 0; b < batch; b++) logProbs[b] = _logProbabilities[b * ActionSize + actions[b]];
        ValueNetwork.Infer(normalized, batch, values);
    }

    /// <summary>
    /// log π(k|s) for every choice k ([batch × ActionSize]) of <paramref name="batch"/> raw observations:
    /// e.g. the probability the master itself gives a choice that was overridden (ε-exploration).
    /// </summary>
    public void ActionLogProbabilities(ReadOnlySpan<float> observations, int batch, Span<float> logProbabilities)
    {
        if (logProbabilities.Length < batch * ActionSize)
            throw new ArgumentException($"logProbabilities has {logProbabilities.Length} elements, expected {batch} × {ActionSize}", nameof(logProbabilities));
        var normalized = NormalizeForInference(observations, batch);
        _logits = Grow(_logits, batch * ActionSize);
        PolicyNetwork.Infer(normalized, batch, _logits);
        Categorical.LogSoftmax(_logits, batch, ActionSize, logProbabilities);
    }

    /// <summary>The most probable choice per raw observation.</summary>
    public void ActDeterministic(ReadOnlySpan<float> observations, int batch, Span<int> actions)
    {
        var normalized = NormalizeForInference(observations, batch);
        _logits = Grow(_logits, batch * ActionSize);
        PolicyNetwork.Infer(normalized, batch, _logits);
        Categorical.ArgMax(_logits, batch, ActionSize, actions);
    }

    private protected override void EvaluateHead(ReadOnlySpan<float> head, ReadOnlySpan<float> actions, int batch, Span<float> logProbs, Span<float> entropies)
    {
        var n = batch * ActionSize;
        _trainLogProbabilities = Grow(_trainLogProbabilities, n);
        _trainEntropies = Grow(_trainEntropies, batch);
        _trainActions = Grow(_trainActions, batch);
        for (var b = 0; b < batch; b++)
        {
            var a = actions[b];
            // Indices travel as floats in PPO batches; anything but an exact in-range integer is a caller bug.
            if (!(a >= 0 && a < ActionSize && a == MathF.Floor(a)))
                throw new ArgumentOutOfRangeException(nameof(actions), a, $"categorical action at row {b} must be an integer in [0, {ActionSize})");
            _trainActions[b] = (int)a;
        }
        Categorical.LogSoftmax(head, batch, ActionSize, _trainLogProbabilities);
        Categorical.LogProbAndEntropy(_trainLogProbabilities, batch, ActionSize, _trainActions, logProbs, _trainEntropies);
        _trainEntropies.AsSpan(0, batch).CopyTo(entropies);
        _trainBatch = batch;
    }

    private protected override void BackwardHead(ReadOnlySpan<float> logProbGradients, ReadOnlySpan<float> entropyGradients)
    {
        var batch = _trainBatch;
        if (batch == 0) throw new InvalidOperationException("Backward called before EvaluateActions");
        _logitGrad = Grow(_logitGrad, batch * ActionSize);
        var grad = _logitGrad.AsSpan(0, batch * ActionSize);
        Categorical.Backward(_trainLogProbabilities, batch, ActionSize, _trainActions, _trainEntropies, logProbGradients, entropyGradients, grad);
        PolicyNetwork.Backward(grad);
    }
}

using Mlsh.NeuralNets.Layers;
using Mlsh.NeuralNets.Normalization;

namespace Mlsh.NeuralNets.Policies;

/// <summary>Which head an actor-critic has; also the kind tag in a policy file.</summary>
public enum PolicyKind
{
    /// <summary>Continuous actions: <see cref="GaussianActorCritic"/> (sub-policies).</summary>
    Gaussian = 1,
    /// <summary>Discrete actions: <see cref="CategoricalActorCritic"/> (the master).</summary>
    Categorical = 2,
}

/// <summary>
/// A policy network, a separate value network and an observation normalizer, with all trainable
/// scalars in one <see cref="ParameterStore"/> (policy layers, then value layers, then head extras such
/// as the Gaussian log σ). The normalizer is applied inside every method that takes observations:
/// callers always pass raw observations.
/// </summary>
/// <remarks>
/// Two independent paths: acting (<c>Act</c>, <see cref="PredictValues"/>) uses inference workspaces;
/// training (<see cref="EvaluateActions"/> then <see cref="Backward"/>) uses the networks' training caches.
/// Acting between Evaluate and Backward is therefore safe. Workspaces grow to the largest batch seen,
/// after which nothing allocates. Owns all its buffers; not thread-safe.
/// Training actions are float rows of <see cref="ActionWidth"/>: the action vector (Gaussian) or the
/// chosen index stored as a float (categorical).
/// </remarks>
public abstract class ActorCritic
{
    private float[] _inferObs = [];
    private float[] _trainObs = [];
    private readonly float[] _valueOne = new float[1];

    private protected ActorCritic(ActorCriticOptions options, int policyOutputSize, int extraParameters)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        var count = Mlp.ParameterCount(options.ObservationSize, options.HiddenSizes, policyOutputSize)
                    + Mlp.ParameterCount(options.ObservationSize, options.HiddenSizes, 1) + extraParameters;
        Store = new ParameterStore(count);
        PolicyNetwork = new Mlp(Store, options.ObservationSize, options.HiddenSizes, policyOutputSize, options.HiddenActivation);
        ValueNetwork = new Mlp(Store, options.ObservationSize, options.HiddenSizes, 1, options.HiddenActivation);
        Normalizer = new ObservationNormalizer(options.ObservationSize, options.ObservationClip);
    }

    public abstract PolicyKind Kind { get; }
    public ActorCriticOptions Options { get; }
    public int ObservationSize => Options.ObservationSize;
    /// <summary>Action dimensions (Gaussian) or number of choices (categorical).</summary>
    public int ActionSize => Options.ActionSize;
    /// <summary>Floats per action row in training batches: ActionSize (Gaussian) or 1 (categorical).</summary>
    public abstract int ActionWidth { get; }

    public ParameterStore Store { get; }
    /// <summary>All trainable scalars (for Adam, MPI allreduce, serialization).</summary>
    public Span<float> Parameters => Store.Parameters;
    /// <summary>dLoss/dParameters, same layout as <see cref="Parameters"/>.</summary>
    public Span<float> Gradients => Store.Gradients;

    /// <summary>Observations → action means (Gaussian) or logits (categorical), identity output.</summary>
    public Mlp PolicyNetwork { get; }
    /// <summary>Observations → state value, identity output of width 1.</summary>
    public Mlp ValueNetwork { get; }
    public ObservationNormalizer Normalizer { get; }

    /// <summary>V(s) for <paramref name="batch"/> raw observations (bootstrap values).</summary>
    public void PredictValues(ReadOnlySpan<float> observations, int batch, Span<float> values)
    {
        var normalized = NormalizeForInference(observations, batch);
        ValueNetwork.Infer(normalized, batch, values);
    }

    /// <summary>V(s) of one raw observation.</summary>
    public float PredictValue(ReadOnlySpan<float> observation)
    {
        PredictValues(observation, 1, _valueOne);
        return _valueOne[0];
    }

    /// <summary>
    /// Training forward pass: log π(a|s), entropy and V(s) for <paramref name="batch"/> raw observations and
    /// the actions taken ([batch × ActionWidth]); caches what <see cref="Backward"/> needs.
    /// </summary>
    public void EvaluateActions(ReadOnlySpan<float> observations, ReadOnlySpan<float> actions, int batch,
        Span<float> logProbs, Span<float> entropies, Span<float> values)
    {
        if (actions.Length < batch * ActionWidth) throw new ArgumentException($"actions have {actions.Length} elements, expected {batch} × {ActionWidth}", nameof(actions));
        if (logProbs.Length < batch || entropies.Length < batch || values.Length < batch)
            throw new ArgumentException($"logProbs/entropies/values need {batch} elements, got {logProbs.Length}/{entropies.Length}/{values.Length}");
        if (observations.Length < batch * ObservationSize)
            throw new ArgumentException($"observations have {observations.Length} elements, expected {batch} × {ObservationSize}", nameof(observations));
        if (_trainObs.Length < batch * ObservationSize) _trainObs = new float[batch * ObservationSize];
        var normalized = _trainObs.AsSpan(0, batch * ObservationSize);
        Normalizer.Normalize(observations, batch, normalized);
        var v = ValueNetwork.Forward(normalized, batch);
        v[..batch].CopyTo(values);
        var head = PolicyNetwork.Forward(normalized, batch);
        EvaluateHead(head, actions, batch, logProbs, entropies);
    }

    /// <summary>
    /// Backward pass of the last <see cref="EvaluateActions"/> from dLoss/dlogπ, dLoss/dEntropy and dLoss/dV
    /// (one per row), ACCUMULATING into <see cref="Gradients"/> (zero them first).
    /// </summary>
    public void Backward(ReadOnlySpan<float> logProbGradients, ReadOnlySpan<float> entropyGradients, ReadOnlySpan<float> valueGradients)
    {
        BackwardHead(logProbGradients, entropyGradients);
        ValueNetwork.Backward(valueGradients);
        if (_blindInputs.Length > 0)
        {
            var first = PolicyNetwork.Layers[0];
            var gradients = Store.GradientArray;
            foreach (var i in _blindInputs) Array.Clear(gradients, first.WeightOffset + i * first.OutputSize, first.OutputSize);
        }
    }

    private int[] _blindInputs = [];

    /// <summary>Observation elements the policy network ignores (<see cref="BlindPolicyTo"/>); empty by default.</summary>
    public ReadOnlySpan<int> BlindInputs => _blindInputs;

    /// <summary>
    /// Makes the policy network's actions independent of observation elements
    /// [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="count"/>): their first-layer weights
    /// are set to zero now, and every <see cref="Backward"/> zeroes their gradients, so (with Adam, whose step is
    /// zero for a gradient that was always zero) they stay exactly zero. The value network still sees everything.
    /// </summary>
    /// <remarks>
    /// DESIGN: masking weights instead of cutting the observation keeps every shape, file and ONNX contract as it
    /// is: an exported sub-policy still takes the robot's whole observation and provably ignores the blinded part
    /// (its weight rows are zero), so the Runtime and the export need no second observation layout. The critic keeps
    /// the full observation (an asymmetric actor-critic): it is not deployed, and position helps it predict returns.
    /// Idempotent; ranges accumulate. Not persisted in the policy file: the trainer re-applies it from its config.
    /// </remarks>
    public void BlindPolicyTo(int offset, int count)
    {
        if (offset < 0 || count < 1 || offset + count > ObservationSize)
            throw new ArgumentOutOfRangeException(nameof(count), $"blind range [{offset}, {offset + count}) must lie inside the {ObservationSize} observation elements");
        var first = PolicyNetwork.Layers[0];
        var weights = Store.ParameterArray;
        var set = new SortedSet<int>(_blindInputs);
        for (var i = offset; i < offset + count; i++)
        {
            set.Add(i);
            Array.Clear(weights, first.WeightOffset + i * first.OutputSize, first.OutputSize);
        }
        _blindInputs = [.. set];
    }

    private protected abstract void EvaluateHead(ReadOnlySpan<float> head, ReadOnlySpan<float> actions, int batch, Span<float> logProbs, Span<float> entropies);
    private protected abstract void BackwardHead(ReadOnlySpan<float> logProbGradients, ReadOnlySpan<float> entropyGradients);

    private protected ReadOnlySpan<float> NormalizeForInference(ReadOnlySpan<float> observations, int batch)
    {
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must be at least 1");
        if (observations.Length < batch * ObservationSize)
            throw new ArgumentException($"observations have {observations.Length} elements, expected {batch} × {ObservationSize}", nameof(observations));
        if (_inferObs.Length < batch * ObservationSize) _inferObs = new float[batch * ObservationSize];
        var normalized = _inferObs.AsSpan(0, batch * ObservationSize);
        Normalizer.Normalize(observations, batch, normalized);
        return normalized;
    }

    private protected static float[] Grow(float[] buffer, int length) => buffer.Length >= length ? buffer : new float[length];
    private protected static int[] Grow(int[] buffer, int length) => buffer.Length >= length ? buffer : new int[length];
}

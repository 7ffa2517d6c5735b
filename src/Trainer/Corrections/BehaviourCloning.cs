using Mlsh.NeuralNets;
using Mlsh.NeuralNets.Optimization;
using Mlsh.NeuralNets.Policies;

namespace Mlsh.Trainer.Corrections;

/// <summary>
/// Supervised (behaviour-cloning) updates of the master on operator corrections: minimise
/// −(1/B) Σ log π_master(label | observation) over shuffled minibatches of the aggregated correction set, with its own
/// Adam (the PPO optimizer's moments are left alone). Only the master's policy network receives gradient: the value
/// head gets zero and the sub-policies are never touched, so the low-level skills stay frozen as in the seed notes'
/// DAgger-style hierarchical imitation. Deterministic for a seed; not thread-safe.
/// </summary>
public sealed class BehaviourCloning
{
    private readonly CorrectionSet _data;
    private readonly int _epochs, _minibatch;
    private readonly float _maxGradNorm;
    private readonly SeededRandom _random;
    private readonly int[] _order;
    private readonly float[] _obs, _actions, _logp, _entropy, _values, _gLogp, _gZero;
    private Adam? _adam;
    private CategoricalActorCritic? _adamOwner;

    public BehaviourCloning(CorrectionSet data, float learningRate = 1e-3f, int epochs = 4, int minibatch = 64, float maxGradNorm = 0.5f, ulong seed = 1)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(minibatch, 1);
        if (!(learningRate > 0)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "must be > 0");
        _data = data;
        LearningRate = learningRate;
        _epochs = epochs;
        _minibatch = Math.Min(minibatch, data.Count);
        _maxGradNorm = maxGradNorm;
        _random = new SeededRandom(seed);
        _order = Enumerable.Range(0, data.Count).ToArray();
        _obs = new float[_minibatch * data.ObservationSize];
        _actions = new float[_minibatch];
        _logp = new float[_minibatch];
        _entropy = new float[_minibatch];
        _values = new float[_minibatch];
        _gLogp = new float[_minibatch];
        _gZero = new float[_minibatch];
    }

    public float LearningRate { get; }

    /// <summary>Runs the configured epochs of minibatch updates on <paramref name="master"/>; returns the mean
    /// negative log-likelihood of the labels over the last epoch (before each step).</summary>
    public double Update(CategoricalActorCritic master)
    {
        ArgumentNullException.ThrowIfNull(master);
        if (master.ObservationSize != _data.ObservationSize)
            throw new ArgumentException($"the master takes {master.ObservationSize} observations, the corrections have {_data.ObservationSize}", nameof(master));
        if (!ReferenceEquals(_adamOwner, master))
        {
            _adam = new Adam(master.Parameters.Length, LearningRate);
            _adamOwner = master;
        }
        var size = _data.ObservationSize;
        double lastEpochNll = 0;
        for (var epoch = 0; epoch < _epochs; epoch++)
        {
            Shuffle();
            double nll = 0;
            var rows = 0;
            for (var start = 0; start < _order.Length; start += _minibatch)
            {
                var b = Math.Min(_minibatch, _order.Length - start);
                for (var i = 0; i < b; i++)
                {
                    var row = _order[start + i];
                    _data.Observation(row).CopyTo(_obs.AsSpan(i * size, size));
                    _actions[i] = _data.Labels[row];
                }
                master.Store.ZeroGradients();
                master.EvaluateActions(_obs.AsSpan(0, b * size), _actions.AsSpan(0, b), b, _logp, _entropy, _values);
                for (var i = 0; i < b; i++)
                {
                    nll -= _logp[i];
                    _gLogp[i] = -1f / b; // d(−mean log π)/d log π
                }
                rows += b;
                master.Backward(_gLogp.AsSpan(0, b), _gZero.AsSpan(0, b), _gZero.AsSpan(0, b));
                if (_maxGradNorm > 0) GradientClipping.ClipGlobalNorm(master.Gradients, _maxGradNorm);
                _adam!.Step(master.Parameters, master.Gradients);
            }
            master.Store.ZeroGradients();
            lastEpochNll = nll / Math.Max(1, rows);
        }
        return lastEpochNll;
    }

    /// <summary>Fraction of corrections where the master's most probable choice equals the operator's label.</summary>
    public static double Agreement(CategoricalActorCritic master, CorrectionSet data)
    {
        ArgumentNullException.ThrowIfNull(master);
        ArgumentNullException.ThrowIfNull(data);
        var choices = new int[data.Count];
        master.ActDeterministic(data.Observations, data.Count, choices);
        var agree = 0;
        for (var i = 0; i < data.Count; i++)
            if (choices[i] == data.Labels[i]) agree++;
        return (double)agree / data.Count;
    }

    /// <summary>Mean −log π(label | observation) over the whole set.</summary>
    public static double NegativeLogLikelihood(CategoricalActorCritic master, CorrectionSet data)
    {
        ArgumentNullException.ThrowIfNull(master);
        ArgumentNullException.ThrowIfNull(data);
        var lp = new float[data.Count * master.ActionSize];
        master.ActionLogProbabilities(data.Observations, data.Count, lp);
        double s = 0;
        for (var i = 0; i < data.Count; i++) s -= lp[i * master.ActionSize + data.Labels[i]];
        return s / data.Count;
    }

    private void Shuffle()
    {
        for (var i = _order.Length - 1; i > 0; i--)
        {
            var j = _random.NextInt(i + 1);
            (_order[i], _order[j]) = (_order[j], _order[i]);
        }
    }
}

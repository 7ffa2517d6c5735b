using Mlsh.NeuralNets;
using Mlsh.NeuralNets.Optimization;
using Mlsh.NeuralNets.Policies;

namespace Mlsh.Trainer.Ppo;

/// <summary>Called with the full gradient vector after each backward pass and before clipping — e.g. an
/// MPI allreduce that averages gradients across ranks. Must leave the span's length unchanged.</summary>
public delegate void GradientReducer(Span<float> gradients);

/// <summary>Summary of one <see cref="PpoUpdater.Update(PpoBatch)"/>; losses, entropy, KL, clip fraction
/// and gradient norm are means over all its minibatch steps.</summary>
public readonly record struct PpoStats(
    float PolicyLoss, float ValueLoss, float Entropy, float ApproxKl, float ClipFraction,
    float GradientNorm, float ExplainedVariance, int Samples, int GradientSteps);

/// <summary>
/// Proximal policy optimization for one actor-critic with its own Adam (so each network has its own
/// learning rate): epochs × shuffled minibatches of the batch rows, clipped surrogate + value loss −
/// entropy bonus, optional advantage standardization, global-norm gradient clipping.
/// </summary>
/// <remarks>
/// Owns the optimizer and every workspace; after the first update at a given batch size nothing is
/// allocated. Shuffling uses its own <see cref="SeededRandom"/> from <see cref="PpoOptions.Seed"/>, so a
/// run is reproducible. With MPI, every rank must take the same number of gradient steps (same number of
/// rows per update) or the <see cref="ReduceGradients"/> collective will not match up. Not thread-safe.
/// </remarks>
public sealed class PpoUpdater
{
    private readonly SeededRandom _random;
    private int[] _order = [];
    private float[] _advantages = [];
    private float[] _gather = [];
    private readonly float[] _mbObs, _mbActions, _mbOldLogProbs, _mbAdvantages, _mbReturns;
    private readonly float[] _logProbs, _entropies, _values, _dLogProbs, _dEntropies, _dValues;

    public PpoUpdater(ActorCritic policy, PpoOptions options)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Policy = policy;
        Options = options;
        Optimizer = new Adam(policy.Parameters.Length, options.LearningRate, epsilon: options.AdamEpsilon);
        _random = new SeededRandom(options.Seed);
        var mb = options.MinibatchSize;
        _mbObs = new float[mb * policy.ObservationSize];
        _mbActions = new float[mb * policy.ActionWidth];
        _mbOldLogProbs = new float[mb];
        _mbAdvantages = new float[mb];
        _mbReturns = new float[mb];
        _logProbs = new float[mb];
        _entropies = new float[mb];
        _values = new float[mb];
        _dLogProbs = new float[mb];
        _dEntropies = new float[mb];
        _dValues = new float[mb];
    }

    public ActorCritic Policy { get; }
    public PpoOptions Options { get; }
    /// <summary>This network's optimizer; its learning rate may be changed between updates.</summary>
    public Adam Optimizer { get; }
    /// <summary>The shuffling stream (exposed for checkpointing its state).</summary>
    public SeededRandom Random => _random;
    /// <summary>Optional gradient hook (MPI average), applied before clipping.</summary>
    public GradientReducer? ReduceGradients { get; set; }

    /// <summary>Updates on all <see cref="PpoBatch.Count"/> rows.</summary>
    public PpoStats Update(PpoBatch batch) => Update(batch, ReadOnlySpan<int>.Empty, allRows: true);

    /// <summary>Updates on the listed rows only (MLSH: the steps where this sub-policy acted).
    /// An empty list is a no-op returning zero stats.</summary>
    public PpoStats Update(PpoBatch batch, ReadOnlySpan<int> rows) => Update(batch, rows, allRows: false);

    private PpoStats Update(PpoBatch batch, ReadOnlySpan<int> rows, bool allRows)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.ObservationSize != Policy.ObservationSize || batch.ActionWidth != Policy.ActionWidth)
            throw new ArgumentException($"batch rows are {batch.ObservationSize} obs / {batch.ActionWidth} action floats, the policy expects {Policy.ObservationSize} / {Policy.ActionWidth}", nameof(batch));
        var n = allRows ? batch.Count : rows.Length;
        if (n == 0) return default;
        if (_order.Length < n) _order = new int[n];
        if (_advantages.Length < batch.Capacity) _advantages = new float[batch.Capacity];
        var order = _order.AsSpan(0, n);
        if (allRows)
        {
            for (var i = 0; i < n; i++) order[i] = i;
        }
        else
        {
            for (var i = 0; i < n; i++)
            {
                var r = rows[i];
                if ((uint)r >= (uint)batch.Count) throw new ArgumentOutOfRangeException(nameof(rows), r, $"row index at position {i} must be in [0, {batch.Count})");
                order[i] = r;
            }
        }

        int obsSize = Policy.ObservationSize, actionWidth = Policy.ActionWidth;
        if (Options.UpdateNormalizer && !Policy.Normalizer.Frozen)
        {
            if (allRows)
            {
                Policy.Normalizer.Update(batch.Observations, n);
            }
            else
            {
                if (_gather.Length < n * obsSize) _gather = new float[n * obsSize];
                for (var i = 0; i < n; i++) batch.Observations.Slice(order[i] * obsSize, obsSize).CopyTo(_gather.AsSpan(i * obsSize));
                Policy.Normalizer.Update(_gather, n);
            }
        }

        var explainedVariance = ExplainedVariance(batch, order);
        PrepareAdvantages(batch, order);

        double policyLoss = 0, valueLoss = 0, entropy = 0, kl = 0, clipFraction = 0, gradNorm = 0;
        var steps = 0;
        var mbSize = Options.MinibatchSize;
        for (var epoch = 0; epoch < Options.Epochs; epoch++)
        {
            _random.Shuffle(order);
            for (var start = 0; start < n; start += mbSize)
            {
                var m = Math.Min(mbSize, n - start);
                var chunk = order.Slice(start, m);
                for (var i = 0; i < m; i++)
                {
                    var r = chunk[i];
                    batch.Observations.Slice(r * obsSize, obsSize).CopyTo(_mbObs.AsSpan(i * obsSize));
                    batch.Actions.Slice(r * actionWidth, actionWidth).CopyTo(_mbActions.AsSpan(i * actionWidth));
                    _mbOldLogProbs[i] = batch.LogProbs[r];
                    _mbAdvantages[i] = _advantages[r];
                    _mbReturns[i] = batch.Returns[r];
                }
                var stats = Step(m);
                policyLoss += stats.PolicyLoss;
                valueLoss += stats.ValueLoss;
                entropy += stats.Entropy;
                kl += stats.ApproxKl;
                clipFraction += stats.ClipFraction;
                gradNorm += stats.GradientNorm;
                steps++;
            }
        }
        return new PpoStats((float)(policyLoss / steps), (float)(valueLoss / steps), (float)(entropy / steps), (float)(kl / steps),
            (float)(clipFraction / steps), (float)(gradNorm / steps), explainedVariance, n, steps);
    }

    /// <summary>One gradient step on the gathered minibatch of <paramref name="m"/> rows.</summary>
    private PpoStats Step(int m)
    {
        var logProbs = _logProbs.AsSpan(0, m);
        var entropies = _entropies.AsSpan(0, m);
        var values = _values.AsSpan(0, m);
        Policy.EvaluateActions(_mbObs.AsSpan(0, m * Policy.ObservationSize), _mbActions.AsSpan(0, m * Policy.ActionWidth), m, logProbs, entropies, values);

        var dLogProbs = _dLogProbs.AsSpan(0, m);
        var dValues = _dValues.AsSpan(0, m);
        var dEntropies = _dEntropies.AsSpan(0, m);
        var policyLoss = PpoLoss.ClippedSurrogate(logProbs, _mbOldLogProbs.AsSpan(0, m), _mbAdvantages.AsSpan(0, m), Options.ClipRange,
            dLogProbs, out var clipFraction, out var kl);
        var valueLoss = PpoLoss.ValueLoss(values, _mbReturns.AsSpan(0, m), dValues);
        for (var i = 0; i < m; i++) dValues[i] *= Options.ValueLossCoefficient;
        dEntropies.Fill(-Options.EntropyCoefficient / m);
        var meanEntropy = 0f;
        foreach (var h in entropies) meanEntropy += h;
        meanEntropy /= m;

        Policy.Store.ZeroGradients();
        Policy.Backward(dLogProbs, dEntropies, dValues);
        ReduceGradients?.Invoke(Policy.Gradients);
        var norm = float.IsPositiveInfinity(Options.MaxGradientNorm)
            ? System.Numerics.Tensors.TensorPrimitives.Norm((ReadOnlySpan<float>)Policy.Gradients)
            : GradientClipping.ClipGlobalNorm(Policy.Gradients, Options.MaxGradientNorm);
        if (!float.IsFinite(norm))
            throw new InvalidOperationException($"PPO gradient norm is {norm}: the loss diverged (policy loss {policyLoss}, value loss {valueLoss}); lower the learning rate or check rewards/observations for non-finite values");
        Optimizer.Step(Policy.Parameters, Policy.Gradients);
        return new PpoStats(policyLoss, valueLoss, meanEntropy, kl, clipFraction, norm, 0, m, 1);
    }

    /// <summary>Copies the rows' advantages into the per-row workspace, standardized if configured.</summary>
    private void PrepareAdvantages(PpoBatch batch, ReadOnlySpan<int> order)
    {
        var source = batch.Advantages;
        double sum = 0, sumSq = 0;
        foreach (var r in order)
        {
            var a = source[r];
            if (!float.IsFinite(a)) throw new ArgumentException($"advantage at row {r} is {a}; rewards or values contain non-finite numbers", nameof(batch));
            sum += a;
            sumSq += (double)a * a;
        }
        var n = order.Length;
        var mean = sum / n;
        var std = Math.Sqrt(Math.Max(sumSq / n - mean * mean, 0));
        var normalize = Options.NormalizeAdvantages;
        foreach (var r in order)
            _advantages[r] = normalize ? (float)((source[r] - mean) / (std + 1e-8)) : source[r];
    }

    /// <summary>1 − Var(R − V_old) / Var(R) over the rows: how much of the return the critic explained before the update.</summary>
    private static float ExplainedVariance(PpoBatch batch, ReadOnlySpan<int> order)
    {
        double sr = 0, srr = 0, sd = 0, sdd = 0;
        foreach (var r in order)
        {
            double ret = batch.Returns[r], d = ret - batch.Values[r];
            sr += ret; srr += ret * ret; sd += d; sdd += d * d;
        }
        var n = order.Length;
        var varR = srr / n - (sr / n) * (sr / n);
        var varD = sdd / n - (sd / n) * (sd / n);
        return varR <= 1e-12 ? float.NaN : (float)(1 - varD / varR);
    }
}

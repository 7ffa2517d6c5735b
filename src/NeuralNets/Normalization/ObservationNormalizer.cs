using System.Numerics.Tensors;

namespace Mlsh.NeuralNets.Normalization;

/// <summary>
/// Running per-feature mean/variance of observations and the normalization applied before every
/// network: x̂ = clip((x − mean) / std, −Clip, +Clip), std = √(var + Epsilon).
/// </summary>
/// <remarks>
/// Statistics are kept in double as (count, mean, M2) so batches — and MPI ranks — merge exactly with
/// Chan et al.'s parallel update (<see cref="Merge"/>). With no data yet, mean = 0 and std = 1.
/// <see cref="Mean"/> and <see cref="Std"/> are the float32 values actually applied (what an ONNX export
/// must bake in); they are refreshed after each update. Saved with the policy
/// (<see cref="Serialization.PolicyFile"/>). Not thread-safe; updates and normalization allocate nothing.
/// </remarks>
public sealed class ObservationNormalizer
{
    private readonly double[] _mean, _m2;
    private readonly double[] _batchMean, _batchM2; // workspaces for Update
    private readonly float[] _appliedMean, _appliedStd;

    public ObservationNormalizer(int size, float clip = 5f, float epsilon = 1e-8f)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (!(clip > 0)) throw new ArgumentOutOfRangeException(nameof(clip), clip, "observation clip must be > 0");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be > 0");
        Size = size;
        Clip = clip;
        Epsilon = epsilon;
        _mean = new double[size];
        _m2 = new double[size];
        _batchMean = new double[size];
        _batchM2 = new double[size];
        _appliedMean = new float[size];
        _appliedStd = new float[size];
        Refresh();
    }

    public int Size { get; }
    public float Clip { get; }
    public float Epsilon { get; }

    /// <summary>When true, <see cref="Update"/> and <see cref="Merge"/> are ignored (evaluation, retuning a frozen sub-policy).</summary>
    public bool Frozen { get; set; }

    /// <summary>Number of observations folded in so far.</summary>
    public double Count { get; private set; }

    /// <summary>Running mean (double), for merging across ranks.</summary>
    public ReadOnlySpan<double> RunningMean => _mean;
    /// <summary>Running sum of squared deviations M2 (double); variance = M2 / Count.</summary>
    public ReadOnlySpan<double> RunningM2 => _m2;

    /// <summary>The mean subtracted (float32, [Size]).</summary>
    public ReadOnlySpan<float> Mean => _appliedMean;
    /// <summary>The standard deviation divided by, √(var + Epsilon) (float32, [Size]).</summary>
    public ReadOnlySpan<float> Std => _appliedStd;

    /// <summary>Folds <paramref name="rows"/> observations ([rows × Size]) into the statistics.</summary>
    public void Update(ReadOnlySpan<float> observations, int rows)
    {
        if (Frozen || rows == 0) return;
        if (rows < 0 || observations.Length < rows * Size)
            throw new ArgumentException($"observations have {observations.Length} elements, expected {rows} × {Size}", nameof(observations));
        Array.Clear(_batchMean);
        Array.Clear(_batchM2);
        for (var r = 0; r < rows; r++)
        {
            var row = observations.Slice(r * Size, Size);
            for (var j = 0; j < Size; j++) _batchMean[j] += row[j];
        }
        for (var j = 0; j < Size; j++) _batchMean[j] /= rows;
        for (var r = 0; r < rows; r++)
        {
            var row = observations.Slice(r * Size, Size);
            for (var j = 0; j < Size; j++)
            {
                var d = row[j] - _batchMean[j];
                _batchM2[j] += d * d;
            }
        }
        Merge(rows, _batchMean, _batchM2);
    }

    /// <summary>
    /// Chan's parallel merge of another set of statistics (count, mean, M2). To merge MPI ranks with
    /// allreduce: sum n, Σx and Σx² of the new data in double, then mean = Σx/n and M2 = Σx² − n·mean².
    /// </summary>
    public void Merge(double count, ReadOnlySpan<double> mean, ReadOnlySpan<double> m2)
    {
        if (Frozen || count == 0) return;
        if (!(count > 0) || mean.Length != Size || m2.Length != Size)
            throw new ArgumentException($"merge needs count > 0 and {Size}-element mean/M2, got count {count}, {mean.Length}/{m2.Length}");
        var total = Count + count;
        for (var j = 0; j < Size; j++)
        {
            var delta = mean[j] - _mean[j];
            _mean[j] += delta * count / total;
            _m2[j] += m2[j] + delta * delta * Count * count / total;
        }
        Count = total;
        Refresh();
    }

    /// <summary>destination[r, j] = clip((x[r, j] − Mean[j]) / Std[j], ±Clip). Source and destination may alias.</summary>
    public void Normalize(ReadOnlySpan<float> observations, int rows, Span<float> destination)
    {
        if (observations.Length < rows * Size || destination.Length < rows * Size)
            throw new ArgumentException($"observations/destination need {rows} × {Size} elements, got {observations.Length}/{destination.Length}");
        // DESIGN: divide by Std rather than multiply by a cached reciprocal, so the result is bit-identical
        // to the exported ONNX graph's Sub → Div → Clip.
        for (var r = 0; r < rows; r++)
        {
            var dst = destination.Slice(r * Size, Size);
            TensorPrimitives.Subtract(observations.Slice(r * Size, Size), _appliedMean, dst);
            TensorPrimitives.Divide(dst, _appliedStd, dst);
            TensorPrimitives.Clamp(dst, -Clip, Clip, dst);
        }
    }

    /// <summary>Replaces the statistics (deserialization, MPI broadcast from rank 0).</summary>
    public void SetStatistics(double count, ReadOnlySpan<double> mean, ReadOnlySpan<double> m2)
    {
        if (!(count >= 0) || mean.Length != Size || m2.Length != Size)
            throw new ArgumentException($"statistics need count ≥ 0 and {Size}-element mean/M2, got count {count}, {mean.Length}/{m2.Length}");
        Count = count;
        mean.CopyTo(_mean);
        m2.CopyTo(_m2);
        Refresh();
    }

    private void Refresh()
    {
        for (var j = 0; j < Size; j++)
        {
            var variance = Count > 0 ? Math.Max(_m2[j] / Count, 0) : 1.0;
            _appliedMean[j] = (float)_mean[j];
            _appliedStd[j] = (float)Math.Sqrt(variance + Epsilon);
        }
    }
}

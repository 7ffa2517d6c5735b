namespace Mlsh.Trainer.Mlsh;

/// <summary>Which ranks a collective spans.</summary>
public enum ReduceScope
{
    /// <summary>Every rank (sub-policies are shared by all).</summary>
    World,
    /// <summary>The ranks sharing this rank's task and master.</summary>
    TaskGroup,
}

/// <summary>
/// The collective operations an <see cref="MlshTrainer"/> needs when N ranks train together: sub-policy
/// gradients and normalizer statistics are combined over every rank, the master's within its task
/// group, and episode statistics are summed for reporting. Every rank of the scope must make the same
/// calls in the same order (they are collectives). Implemented over MPI by <see cref="MpiReducer"/>.
/// </summary>
public interface IDistributedReducer
{
    int Rank { get; }
    int Size { get; }
    /// <summary>Index of this rank's task group.</summary>
    int TaskGroup { get; }
    /// <summary>In place: element-wise sum over the ranks of <paramref name="scope"/>.</summary>
    void Sum(ReduceScope scope, Span<float> values);
    /// <summary>In place: element-wise sum over the ranks of <paramref name="scope"/>.</summary>
    void Sum(ReduceScope scope, Span<double> values);
    /// <summary>In place: element-wise maximum over the ranks of <paramref name="scope"/>.</summary>
    void Max(ReduceScope scope, Span<double> values);
    /// <summary>Over every rank: each rank's bytes, indexed by rank, on rank 0; null on the other ranks
    /// (per-rank trainer state for the checkpoint rank 0 writes).</summary>
    byte[][]? GatherToRoot(ReadOnlySpan<byte> data);
    /// <summary>Over every rank: rank 0's bytes on every rank; <paramref name="data"/> is ignored elsewhere
    /// (the checkpoint rank 0 read, on resume).</summary>
    byte[] BroadcastFromRoot(ReadOnlySpan<byte> data);
}

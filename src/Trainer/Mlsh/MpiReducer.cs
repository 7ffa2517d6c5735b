using Mlsh.Mpi;

namespace Mlsh.Trainer.Mlsh;

/// <summary>
/// <see cref="IDistributedReducer"/> over Open MPI: the world communicator plus one split
/// communicator per task group of <c>ranks_per_task</c> consecutive ranks. Owns the split communicator;
/// the world communicator stays the caller's. Single-threaded like the trainer.
/// </summary>
public sealed class MpiReducer : IDistributedReducer, IDisposable
{
    private readonly MpiCommunicator _world;
    private readonly MpiCommunicator _group;

    public MpiReducer(MpiCommunicator world, int ranksPerTask)
    {
        ArgumentNullException.ThrowIfNull(world);
        ArgumentOutOfRangeException.ThrowIfLessThan(ranksPerTask, 1);
        _world = world;
        TaskGroup = world.Rank / ranksPerTask;
        _group = world.Split(TaskGroup, world.Rank);
    }

    public int Rank => _world.Rank;
    public int Size => _world.Size;
    public int TaskGroup { get; }

    public void Sum(ReduceScope scope, Span<float> values) => Comm(scope).AllreduceSum(values);
    public void Sum(ReduceScope scope, Span<double> values) => Comm(scope).AllreduceSum(values);
    public void Max(ReduceScope scope, Span<double> values) => Comm(scope).AllreduceMax(values);
    public byte[][]? GatherToRoot(ReadOnlySpan<byte> data) => _world.GatherBlobs(data);
    public byte[] BroadcastFromRoot(ReadOnlySpan<byte> data) => _world.BroadcastBlob(data);

    private MpiCommunicator Comm(ReduceScope scope) => scope == ReduceScope.World ? _world : _group;

    public void Dispose() => _group.Dispose();
}

using System.Numerics.Tensors;
using Mlsh.Mpi.Interop;

namespace Mlsh.Mpi;

/// <summary>
/// An MPI communicator: the world of every process mpirun started, or a task group split from it.
/// </summary>
/// <remarks>
/// Lifetime: <see cref="InitWorld"/> initialises MPI once per process; disposing the world (and every
/// communicator split from it) finalises MPI. A split communicator keeps the world alive until it is
/// disposed itself. MPI cannot be initialised again in the same process after that.
/// Threading: MPI is initialised with MPI_THREAD_SERIALIZED; call one communicator method at a time
/// (in practice: from the learner thread). Dispose explicitly: a communicator left to the finalizer
/// would be freed on the finalizer thread, concurrently with the learner's MPI calls.
/// Collective calls (Allreduce, Bcast, Gather, Barrier, Split) must be made by every rank of the communicator,
/// in the same order, with the same lengths; they block until all ranks arrive.
/// Errors come back as <see cref="MpiException"/> (the world runs with MPI_ERRORS_RETURN rather than
/// MPI's default abort-everything handler).
/// </remarks>
public sealed unsafe class MpiCommunicator : IDisposable
{
    private static int _worldCreated;

    private readonly SafeMpiCommHandle _handle;

    private MpiCommunicator(SafeMpiCommHandle handle, int threadLevel)
    {
        _handle = handle;
        ThreadLevel = threadLevel;
        int rank, size;
        MpiNative.Check(MpiNative.MPI_Comm_rank(handle.DangerousGetHandle(), &rank), "MPI_Comm_rank");
        MpiNative.Check(MpiNative.MPI_Comm_size(handle.DangerousGetHandle(), &size), "MPI_Comm_size");
        Rank = rank;
        Size = size;
    }

    /// <summary>The owned native communicator (for diagnostics in this assembly).</summary>
    internal SafeMpiCommHandle Handle => _handle;

    /// <summary>This process's rank in the communicator, 0..Size-1.</summary>
    public int Rank { get; }

    /// <summary>Number of processes in the communicator.</summary>
    public int Size { get; }

    /// <summary>True on rank 0, the rank that writes checkpoints and logs.</summary>
    public bool IsRoot => Rank == 0;

    /// <summary>The MPI thread support level granted at initialisation (0 single .. 3 multiple).</summary>
    public int ThreadLevel { get; }

    /// <summary>
    /// Initialises MPI (MPI_Init_thread) and returns MPI_COMM_WORLD. Call once per process, normally only
    /// when <see cref="MpiLaunch.IsLaunchedByMpirun"/> is true.
    /// </summary>
    /// <exception cref="InvalidOperationException">MPI was already initialised by this process.</exception>
    /// <exception cref="MpiException">libmpi cannot be loaded or MPI_Init_thread failed.</exception>
    public static MpiCommunicator InitWorld()
    {
        if (Interlocked.Exchange(ref _worldCreated, 1) == 1)
            throw new InvalidOperationException(
                "MPI was already initialised in this process (MPI_Init can run only once); keep the world communicator for the whole run");
        MpiNative.Load();
        int initialized;
        MpiNative.Check(MpiNative.MPI_Initialized(&initialized), "MPI_Initialized");
        if (initialized != 0)
            throw new InvalidOperationException("MPI was initialised outside MpiCommunicator; Mlsh must own MPI_Init/MPI_Finalize");
        int provided;
        MpiNative.Check(MpiNative.MPI_Init_thread(null, null, MpiNative.MPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread");
        MpiNative.IsActive = true;
        var world = SafeMpiCommHandle.ForWorld(MpiNative.CommWorld);
        try
        {
            MpiNative.Check(MpiNative.MPI_Comm_set_errhandler(MpiNative.CommWorld, MpiNative.ErrorsReturn), "MPI_Comm_set_errhandler");
            return new MpiCommunicator(world, provided);
        }
        catch
        {
            world.Dispose();
            throw;
        }
    }

    /// <summary>Element-wise sum over all ranks, result in place on every rank.</summary>
    public void AllreduceSum(Span<float> values) => Allreduce(values, MpiNative.TypeFloat, MpiNative.OpSum);

    /// <inheritdoc cref="AllreduceSum(Span{float})"/>
    public void AllreduceSum(Span<double> values) => Allreduce(values, MpiNative.TypeDouble, MpiNative.OpSum);

    /// <inheritdoc cref="AllreduceSum(Span{float})"/>
    public void AllreduceSum(Span<long> values) => Allreduce(values, MpiNative.TypeInt64, MpiNative.OpSum);

    /// <summary>Element-wise mean over all ranks (sum, then divided by <see cref="Size"/>), in place.</summary>
    public void AllreduceAverage(Span<float> values)
    {
        AllreduceSum(values);
        TensorPrimitives.Multiply(values, 1f / Size, values);
    }

    /// <inheritdoc cref="AllreduceAverage(Span{float})"/>
    public void AllreduceAverage(Span<double> values)
    {
        AllreduceSum(values);
        TensorPrimitives.Multiply(values, 1.0 / Size, values);
    }

    /// <summary>Element-wise maximum over all ranks, in place.</summary>
    public void AllreduceMax(Span<double> values) => Allreduce(values, MpiNative.TypeDouble, MpiNative.OpMax);

    /// <summary>Element-wise minimum over all ranks, in place.</summary>
    public void AllreduceMin(Span<double> values) => Allreduce(values, MpiNative.TypeDouble, MpiNative.OpMin);

    /// <summary>Copies <paramref name="data"/> of rank <paramref name="root"/> into every other rank's span.</summary>
    public void Broadcast(Span<byte> data, int root = 0) => Bcast(data, MpiNative.TypeByte, root);

    /// <inheritdoc cref="Broadcast(Span{byte}, int)"/>
    public void Broadcast(Span<float> data, int root = 0) => Bcast(data, MpiNative.TypeFloat, root);

    /// <inheritdoc cref="Broadcast(Span{byte}, int)"/>
    public void Broadcast(Span<double> data, int root = 0) => Bcast(data, MpiNative.TypeDouble, root);

    /// <inheritdoc cref="Broadcast(Span{byte}, int)"/>
    public void Broadcast(Span<long> data, int root = 0) => Bcast(data, MpiNative.TypeInt64, root);

    /// <summary>
    /// Broadcasts a byte block whose length only rank <paramref name="root"/> knows: the length first, then
    /// the bytes. Returns the root's bytes on every rank (a copy on the root); <paramref name="data"/> is
    /// ignored on the other ranks. Collective.
    /// </summary>
    public byte[] BroadcastBlob(ReadOnlySpan<byte> data, int root = 0)
    {
        Span<long> length = [Rank == root ? data.Length : 0];
        Broadcast(length, root);
        var result = Rank == root ? data.ToArray() : new byte[checked((int)length[0])];
        Broadcast(result.AsSpan(), root);
        return result;
    }

    /// <summary>
    /// Gathers one byte block of any length from every rank to rank <paramref name="root"/> (MPI_Gather of
    /// the lengths, then MPI_Gatherv). Returns the blocks indexed by rank on the root, null on the other
    /// ranks. Collective.
    /// </summary>
    public byte[][]? GatherBlobs(ReadOnlySpan<byte> data, int root = 0)
    {
        if ((uint)root >= (uint)Size)
            throw new ArgumentOutOfRangeException(nameof(root), root, $"gather root must be a rank in 0..{Size - 1}");
        var isRoot = Rank == root;
        var counts = new int[isRoot ? Size : 1];
        var added = false;
        _handle.DangerousAddRef(ref added);
        try
        {
            var comm = _handle.DangerousGetHandle();
            var mine = data.Length;
            fixed (int* c = counts)
                MpiNative.Check(MpiNative.MPI_Gather(&mine, 1, MpiNative.TypeInt32, c, 1, MpiNative.TypeInt32, root, comm), "MPI_Gather");
            var displacements = new int[counts.Length];
            var total = 0L;
            if (isRoot)
                for (var r = 0; r < Size; r++)
                {
                    displacements[r] = checked((int)total);
                    total += counts[r];
                }
            var all = new byte[checked((int)total)];
            fixed (byte* send = data)
            fixed (byte* receive = all)
            fixed (int* c = counts)
            fixed (int* d = displacements)
                MpiNative.Check(MpiNative.MPI_Gatherv(send, mine, MpiNative.TypeByte, receive, c, d, MpiNative.TypeByte, root, comm), "MPI_Gatherv");
            if (!isRoot) return null;
            var blobs = new byte[Size][];
            for (var r = 0; r < Size; r++) blobs[r] = all.AsSpan(displacements[r], counts[r]).ToArray();
            return blobs;
        }
        finally { _handle.DangerousRelease(); }
    }

    /// <summary>Blocks until every rank of the communicator has called it.</summary>
    public void Barrier()
    {
        var added = false;
        _handle.DangerousAddRef(ref added);
        try { MpiNative.Check(MpiNative.MPI_Barrier(_handle.DangerousGetHandle()), "MPI_Barrier"); }
        finally { _handle.DangerousRelease(); }
    }

    /// <summary>
    /// Splits into groups (MPI_Comm_split): ranks passing the same <paramref name="color"/> form one
    /// communicator, ordered by <paramref name="key"/> then by old rank. Collective. The caller owns the result.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="color"/> is negative.</exception>
    public MpiCommunicator Split(int color, int key)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(color);
        var added = false;
        _handle.DangerousAddRef(ref added);
        try
        {
            nint comm = 0;
            MpiNative.Check(MpiNative.MPI_Comm_split(_handle.DangerousGetHandle(), color, key, &comm), "MPI_Comm_split");
            var child = SafeMpiCommHandle.ForChild(comm, _handle);
            try
            {
                // Error handlers are inherited by MPI_Comm_split, but set it explicitly: the child must never abort the job.
                MpiNative.Check(MpiNative.MPI_Comm_set_errhandler(comm, MpiNative.ErrorsReturn), "MPI_Comm_set_errhandler");
                return new MpiCommunicator(child, ThreadLevel);
            }
            catch
            {
                child.Dispose();
                throw;
            }
        }
        finally { _handle.DangerousRelease(); }
    }

    /// <summary>Frees this communicator; for the world, finalises MPI once every split communicator is disposed too.</summary>
    public void Dispose() => _handle.Dispose();

    private void Allreduce<T>(Span<T> values, nint datatype, nint op) where T : unmanaged
    {
        var added = false;
        _handle.DangerousAddRef(ref added);
        try
        {
            fixed (T* p = values)
                MpiNative.Check(
                    MpiNative.MPI_Allreduce((void*)MpiNative.MPI_IN_PLACE, p, values.Length, datatype, op, _handle.DangerousGetHandle()),
                    "MPI_Allreduce");
        }
        finally { _handle.DangerousRelease(); }
    }

    private void Bcast<T>(Span<T> data, nint datatype, int root) where T : unmanaged
    {
        if ((uint)root >= (uint)Size)
            throw new ArgumentOutOfRangeException(nameof(root), root, $"broadcast root must be a rank in 0..{Size - 1}");
        var added = false;
        _handle.DangerousAddRef(ref added);
        try
        {
            fixed (T* p = data)
                MpiNative.Check(MpiNative.MPI_Bcast(p, data.Length, datatype, root, _handle.DangerousGetHandle()), "MPI_Bcast");
        }
        finally { _handle.DangerousRelease(); }
    }
}

using System.Runtime.InteropServices;

namespace Mlsh.Mpi.Interop;

/// <summary>
/// Owns one MPI communicator. The world handle's release is MPI_Finalize; a communicator made by
/// MPI_Comm_split holds a reference on its parent, so MPI is finalized only after every sub-communicator
/// was freed (freeing a communicator after MPI_Finalize is an error).
/// </summary>
internal sealed class SafeMpiCommHandle : SafeHandle
{
    private readonly SafeMpiCommHandle? _parent;

    private SafeMpiCommHandle(nint comm, SafeMpiCommHandle? parent) : base(0, ownsHandle: true)
    {
        SetHandle(comm);
        _parent = parent;
    }

    public override bool IsInvalid => handle == 0;

    internal bool IsWorld => _parent is null;

    internal static SafeMpiCommHandle ForWorld(nint world) => new(world, null);

    /// <summary>Wraps a communicator created from <paramref name="parent"/>, taking a reference on it.</summary>
    internal static SafeMpiCommHandle ForChild(nint comm, SafeMpiCommHandle parent)
    {
        var added = false;
        parent.DangerousAddRef(ref added);
        return new SafeMpiCommHandle(comm, parent);
    }

    protected override unsafe bool ReleaseHandle()
    {
        if (_parent is null)
        {
            var finalized = MpiNative.MPI_Finalize() == MpiNative.MPI_SUCCESS;
            MpiNative.IsActive = false;
            return finalized;
        }
        var comm = handle;
        var ok = MpiNative.MPI_Comm_free(&comm) == MpiNative.MPI_SUCCESS;
        _parent.DangerousRelease();
        return ok;
    }
}

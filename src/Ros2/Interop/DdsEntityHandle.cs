using System.Runtime.InteropServices;

namespace Mlsh.Ros2.Interop;

/// <summary>
/// Owns one Cyclone DDS entity (participant, topic, reader, writer, waitset, condition) and deletes it with
/// dds_delete. A child handle holds a reference on its parent (DangerousAddRef) so a participant is never
/// deleted underneath a live reader or writer; the parent is released after the child is deleted.
/// Thread-safety follows SafeHandle: Dispose may race with in-flight calls, which keep the handle alive.
/// </summary>
internal sealed class DdsEntityHandle : SafeHandle
{
    private static long _live;
    private readonly DdsEntityHandle? _parent;

    private DdsEntityHandle(int entity, DdsEntityHandle? parent) : base(IntPtr.Zero, ownsHandle: true)
    {
        _parent = parent;
        if (parent != null)
        {
            var added = false;
            parent.DangerousAddRef(ref added);
        }
        SetHandle(entity);
        Interlocked.Increment(ref _live);
    }

    /// <summary>Entities created and not yet deleted in this process (leak tests count these).</summary>
    public static long LiveCount => Interlocked.Read(ref _live);

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>The dds_entity_t for calls. Only valid while the handle is alive.</summary>
    public int Entity => (int)handle;

    /// <summary>Wraps the result of a dds_create_* call; throws <see cref="DdsException"/> on a negative result.</summary>
    public static DdsEntityHandle Create(int ret, string function, DdsEntityHandle? parent)
    {
        DdsCheck.Check(ret, function);
        return new DdsEntityHandle(ret, parent);
    }

    protected override bool ReleaseHandle()
    {
        var ret = DdsNative.dds_delete((int)handle);
        Interlocked.Decrement(ref _live);
        _parent?.DangerousRelease();
        // DDS_RETCODE_ALREADY_DELETED (-9) happens when Cyclone deleted it with an ancestor at process exit.
        return ret >= 0 || ret == -9;
    }
}

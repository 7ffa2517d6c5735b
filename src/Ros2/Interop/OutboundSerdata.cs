using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static Mlsh.Ros2.Interop.DdsStructs;

namespace Mlsh.Ros2.Interop;

/// <summary>
/// Hands CDR bytes serialized by Mlsh to dds_writecdr without copying them into a C sample first.
/// </summary>
/// <remarks>
/// DESIGN: Cyclone 0.10 has no public getter for the sertype a descriptor-created topic uses, so Mlsh cannot
/// build a serdata of that type directly. It can, however, pass a serdata of a *different* sertype: when the
/// sertype's ops declare <c>ddsi_sertype_v0</c>, dds_writecdr converts it with ddsi_serdata_ref_as_type,
/// i.e. it asks our serdata for its bytes (get_size, to_ser_ref) and runs the topic's own from_ser_iov, which
/// copies and validates them against the type's ops (dds_stream_normalize). Our serdata is therefore only a
/// view of a managed buffer for the duration of the call: Cyclone drops its reference (free callback) before
/// dds_writecdr returns, which <see cref="ReleaseCount"/> lets tests prove. Alternatives rejected: writing C
/// structs with dds_write (a second, unsafe in-memory representation of every message), or a full custom
/// sertype like rmw_cyclonedds (needs nn_rdata fragment-chain layouts for receiving).
/// One instance per publisher; not thread-safe (a publisher is used from one thread at a time).
/// </remarks>
internal sealed unsafe class OutboundSerdata : IDisposable
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Block
    {
        public ddsi_serdata Header; // must stay first: Cyclone sees a ddsi_serdata*
        public byte* Cdr;
        public uint Length;
        public int Releases;
    }

    private static readonly ddsi_serdata_ops* Ops;
    private static readonly ddsi_sertype* ForeignType;
    private Block* _block;

    static OutboundSerdata()
    {
        var typeOps = (ddsi_sertype_ops*)NativeMemory.AllocZeroed((nuint)sizeof(ddsi_sertype_ops));
        typeOps->version = DdsNative.GetExport("ddsi_sertype_v0");
        ForeignType = (ddsi_sertype*)NativeMemory.AllocZeroed((nuint)sizeof(ddsi_sertype));
        ForeignType->ops = typeOps;
        ForeignType->type_name = (byte*)Marshal.StringToCoTaskMemUTF8("mlsh::outbound_cdr");
        Ops = (ddsi_serdata_ops*)NativeMemory.AllocZeroed((nuint)sizeof(ddsi_serdata_ops));
        Ops->eqkey = (IntPtr)(delegate* unmanaged[Cdecl]<ddsi_serdata*, ddsi_serdata*, byte>)&EqKey;
        Ops->get_size = (IntPtr)(delegate* unmanaged[Cdecl]<ddsi_serdata*, uint>)&GetSize;
        Ops->to_ser = (IntPtr)(delegate* unmanaged[Cdecl]<ddsi_serdata*, nuint, nuint, void*, void>)&ToSer;
        Ops->to_ser_ref = (IntPtr)(delegate* unmanaged[Cdecl]<ddsi_serdata*, nuint, nuint, ddsrt_iovec_t*, ddsi_serdata*>)&ToSerRef;
        Ops->to_ser_unref = (IntPtr)(delegate* unmanaged[Cdecl]<ddsi_serdata*, ddsrt_iovec_t*, void>)&ToSerUnref;
        Ops->free = (IntPtr)(delegate* unmanaged[Cdecl]<ddsi_serdata*, void>)&Free;
        Ops->get_keyhash = (IntPtr)(delegate* unmanaged[Cdecl]<ddsi_serdata*, byte*, byte, void>)&GetKeyhash;
        // Process-lifetime tables (a few hundred bytes): never freed, because Cyclone may call through them
        // until the last writer is gone.
    }

    public OutboundSerdata()
    {
        _block = (Block*)NativeMemory.AllocZeroed((nuint)sizeof(Block));
    }

    /// <summary>How many times Cyclone released this serdata (one per successful dds_writecdr).</summary>
    public int ReleaseCount => _block->Releases;

    /// <summary>Cyclone's current reference count on the serdata (0 when no write is in flight).</summary>
    public uint RefCount => Volatile.Read(ref _block->Header.refc);

    /// <summary>
    /// Points the serdata at <paramref name="cdr"/> (encapsulation header included), which must stay pinned
    /// until the dds_writecdr call that consumes the returned pointer has returned.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ddsi_serdata* Prepare(byte* cdr, int length)
    {
        ObjectDisposedException.ThrowIf(_block == null, this);
        var b = _block;
        b->Header.ops = Ops;
        b->Header.type = ForeignType;
        b->Header.kind = SDK_DATA;
        b->Header.hash = 0;
        b->Header.refc = 1; // dds_writecdr consumes exactly one reference
        b->Header.iox_chunk = null;
        b->Cdr = cdr;
        b->Length = (uint)length;
        return &b->Header;
    }

    public void Dispose()
    {
        if (_block == null) return;
        NativeMemory.Free(_block);
        _block = null;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static byte EqKey(ddsi_serdata* a, ddsi_serdata* b) => 1; // ROS 2 topics are keyless

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static uint GetSize(ddsi_serdata* d) => ((Block*)d)->Length;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void ToSer(ddsi_serdata* d, nuint off, nuint sz, void* buf) =>
        Buffer.MemoryCopy(((Block*)d)->Cdr + off, buf, sz, sz);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static ddsi_serdata* ToSerRef(ddsi_serdata* d, nuint off, nuint sz, ddsrt_iovec_t* iov)
    {
        iov->iov_base = ((Block*)d)->Cdr + off;
        iov->iov_len = sz;
        return d;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void ToSerUnref(ddsi_serdata* d, ddsrt_iovec_t* iov) { }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Free(ddsi_serdata* d) => ((Block*)d)->Releases++;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void GetKeyhash(ddsi_serdata* d, byte* buf, byte forceMd5) => new Span<byte>(buf, 16).Clear();
}

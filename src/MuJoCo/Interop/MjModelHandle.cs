using System.Runtime.InteropServices;

namespace Mlsh.MuJoCo.Interop;

/// <summary>
/// Owns one native <c>mjModel</c> and frees it with <c>mj_deleteModel</c> once the last user
/// (the <see cref="MjModel"/> and every <see cref="MjData"/> made from it) has let go.
/// </summary>
internal sealed unsafe class MjModelHandle : SafeHandle
{
    private static long s_live;

    /// <summary>Models created and not yet freed, process-wide (for leak tests and diagnostics).</summary>
    internal static long LiveCount => Interlocked.Read(ref s_live);

    private MjModelHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    internal mjModel* Pointer => (mjModel*)handle;

    /// <summary>Takes ownership of a non-null model pointer returned by mj_loadXML.</summary>
    internal static MjModelHandle Own(mjModel* model)
    {
        var h = new MjModelHandle();
        h.SetHandle((IntPtr)model);
        Interlocked.Increment(ref s_live);
        return h;
    }

    protected override bool ReleaseHandle()
    {
        MjNative.mj_deleteModel((mjModel*)handle);
        Interlocked.Decrement(ref s_live);
        return true;
    }
}

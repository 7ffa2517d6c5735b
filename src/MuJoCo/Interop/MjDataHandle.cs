using System.Runtime.InteropServices;

namespace Mlsh.MuJoCo.Interop;

/// <summary>
/// Owns one native <c>mjData</c>. Holds a reference on its <see cref="MjModelHandle"/>
/// (DangerousAddRef) from creation until <c>mj_deleteData</c> ran, so the model can never be freed
/// while a data made from it is alive, whatever order the two are disposed or finalized in.
/// </summary>
internal sealed unsafe class MjDataHandle : SafeHandle
{
    private static long s_live;
    private MjModelHandle? _model;

    /// <summary>Datas created and not yet freed, process-wide (for leak tests and diagnostics).</summary>
    internal static long LiveCount => Interlocked.Read(ref s_live);

    private MjDataHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    internal mjData* Pointer => (mjData*)handle;

    /// <summary>
    /// Allocates a data for <paramref name="model"/> (mj_makeData, or mj_copyData when
    /// <paramref name="source"/> is given) and takes ownership of it.
    /// </summary>
    internal static MjDataHandle Create(MjModelHandle model, mjData* source = null)
    {
        var h = new MjDataHandle();
        var addedRef = false;
        try
        {
            model.DangerousAddRef(ref addedRef);
            var m = model.Pointer;
            var d = source == null
                ? MjNative.Check(MjNative.mj_makeData(m), nameof(MjNative.mj_makeData))
                : MjNative.Check(MjNative.mj_copyData(null, m, source), nameof(MjNative.mj_copyData));
            h._model = model;
            h.SetHandle((IntPtr)d);
            Interlocked.Increment(ref s_live);
            return h;
        }
        catch
        {
            if (addedRef) model.DangerousRelease();
            h.SetHandleAsInvalid();
            throw;
        }
    }

    protected override bool ReleaseHandle()
    {
        MjNative.mj_deleteData((mjData*)handle);
        Interlocked.Decrement(ref s_live);
        // Only after the data is gone may the model go.
        _model?.DangerousRelease();
        _model = null;
        return true;
    }
}

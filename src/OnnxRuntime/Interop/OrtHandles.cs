using System.Runtime.InteropServices;

namespace Mlsh.OnnxRuntime.Interop;

/// <summary>
/// Owner of one ORT object. A child (a session, a tensor) holds a reference on its parent (the env,
/// the memory info) through DangerousAddRef, so the parent outlives it whatever order the GC
/// finalizes them in. <see cref="LiveCount"/> counts created minus released handles of every kind,
/// for leak tests.
/// </summary>
internal abstract class OrtHandle : SafeHandle
{
    private static long s_live;
    private readonly SafeHandle? _parent;

    /// <summary>ORT objects currently owned by a not-yet-released handle, across all types.</summary>
    internal static long LiveCount => Interlocked.Read(ref s_live);

    protected OrtHandle(nint handle, SafeHandle? parent) : base(0, ownsHandle: true)
    {
        if (parent is not null)
        {
            var added = false;
            parent.DangerousAddRef(ref added);
            _parent = parent;
        }
        SetHandle(handle);
        Interlocked.Increment(ref s_live);
    }

    public override bool IsInvalid => handle == 0;

    protected abstract void Release(nint handle);

    protected sealed override bool ReleaseHandle()
    {
        Release(handle);
        _parent?.DangerousRelease();
        Interlocked.Decrement(ref s_live);
        return true;
    }
}

internal sealed class OrtEnvHandle(nint h) : OrtHandle(h, null)
{
    protected override void Release(nint raw) => OrtNative.ReleaseEnv(raw);
}

internal sealed class OrtSessionOptionsHandle(nint h) : OrtHandle(h, null)
{
    protected override void Release(nint raw) => OrtNative.ReleaseSessionOptions(raw);
}

internal sealed class OrtSessionHandle(nint h, OrtEnvHandle env) : OrtHandle(h, env)
{
    protected override void Release(nint raw) => OrtNative.ReleaseSession(raw);
}

internal sealed class OrtMemoryInfoHandle(nint h) : OrtHandle(h, null)
{
    protected override void Release(nint raw) => OrtNative.ReleaseMemoryInfo(raw);
}

/// <summary>An OrtValue; <see cref="Buffer"/> is the pinned managed array a tensor created over
/// caller memory points into, kept reachable for as long as ORT may read or write it.</summary>
internal sealed class OrtValueHandle(nint h, OrtMemoryInfoHandle? memoryInfo, object? buffer) : OrtHandle(h, memoryInfo)
{
    internal object? Buffer { get; } = buffer;
    protected override void Release(nint raw) => OrtNative.ReleaseValue(raw);
}

internal sealed class OrtTypeInfoHandle(nint h) : OrtHandle(h, null)
{
    protected override void Release(nint raw) => OrtNative.ReleaseTypeInfo(raw);
}

internal sealed class OrtModelMetadataHandle(nint h, OrtSessionHandle session) : OrtHandle(h, session)
{
    protected override void Release(nint raw) => OrtNative.ReleaseModelMetadata(raw);
}

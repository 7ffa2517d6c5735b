using System.Runtime.InteropServices;
using System.Text;
using Mlsh.Core.Interop;

namespace Mlsh.Core.Launch.Interop;

/// <summary>
/// Owns a native posix_spawnattr_t: allocated and initialised on construction, destroyed and freed
/// on release. Used by one thread for one spawn call.
/// </summary>
internal sealed unsafe class SafeSpawnAttributes : SafeHandle
{
    public SafeSpawnAttributes() : base(IntPtr.Zero, ownsHandle: true)
    {
        var p = NativeMemory.AllocZeroed(LibcNative.SpawnAttrBytes);
        var rc = LibcNative.posix_spawnattr_init(p);
        if (rc != 0)
        {
            NativeMemory.Free(p);
            LibcNative.Check(rc, nameof(LibcNative.posix_spawnattr_init));
        }
        SetHandle((IntPtr)p);
    }

    public void* Pointer => (void*)handle;
    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        LibcNative.posix_spawnattr_destroy((void*)handle);
        NativeMemory.Free((void*)handle);
        return true;
    }
}

/// <summary>Owns a native posix_spawn_file_actions_t (the child's fd plumbing and working directory).</summary>
internal sealed unsafe class SafeSpawnFileActions : SafeHandle
{
    public SafeSpawnFileActions() : base(IntPtr.Zero, ownsHandle: true)
    {
        var p = NativeMemory.AllocZeroed(LibcNative.FileActionsBytes);
        var rc = LibcNative.posix_spawn_file_actions_init(p);
        if (rc != 0)
        {
            NativeMemory.Free(p);
            LibcNative.Check(rc, nameof(LibcNative.posix_spawn_file_actions_init));
        }
        SetHandle((IntPtr)p);
    }

    public void* Pointer => (void*)handle;
    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        LibcNative.posix_spawn_file_actions_destroy((void*)handle);
        NativeMemory.Free((void*)handle);
        return true;
    }
}

/// <summary>
/// A NULL-terminated char*[] of UTF-8 strings in native memory (argv or envp), freed with the handle.
/// </summary>
internal sealed unsafe class SafeNativeStringArray : SafeHandle
{
    private readonly int _count;

    public SafeNativeStringArray(IReadOnlyList<string> items) : base(IntPtr.Zero, ownsHandle: true)
    {
        _count = items.Count;
        var array = (byte**)NativeMemory.AllocZeroed((nuint)(items.Count + 1), (nuint)sizeof(byte*));
        SetHandle((IntPtr)array);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].Contains('\0'))
                throw new ArgumentException($"argument or environment entry {i} contains a NUL character", nameof(items));
            var byteCount = Encoding.UTF8.GetByteCount(items[i]);
            var s = (byte*)NativeMemory.Alloc((nuint)byteCount + 1);
            Encoding.UTF8.GetBytes(items[i], new Span<byte>(s, byteCount));
            s[byteCount] = 0;
            array[i] = s;
        }
    }

    public byte** Pointer => (byte**)handle;
    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        var array = (byte**)handle;
        for (var i = 0; i < _count; i++) NativeMemory.Free(array[i]);
        NativeMemory.Free(array);
        return true;
    }
}

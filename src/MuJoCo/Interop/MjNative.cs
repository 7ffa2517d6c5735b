using System.Runtime.InteropServices;
using System.Text;

namespace Mlsh.MuJoCo.Interop;

/// <summary>
/// Every entry point of Debian's libmujoco 2.2.2 this project calls, with the C names kept as they are.
/// Structs are the generated ones in <c>MjLayout.g.cs</c>; pointer ownership lives in
/// <see cref="MjModelHandle"/> / <see cref="MjDataHandle"/>, never here.
/// </summary>
/// <remarks>
/// DESIGN: the signatures take raw <c>mjModel*</c>/<c>mjData*</c> rather than SafeHandles. A SafeHandle
/// parameter costs an AddRef/Release pair on every mj_step; liveness is instead guaranteed by the owning
/// <see cref="MjData"/>, which holds a reference on its model handle for its whole lifetime.
/// DESIGN: no [SuppressGCTransition] on mj_step: a step runs for tens of microseconds and can call back
/// into managed code (mju_user_warning), both of which that attribute forbids.
/// </remarks>
internal static unsafe partial class MjNative
{
    /// <summary>The exact soname: the generated struct layouts are valid for 2.2.2 only.</summary>
    internal const string LibraryName = "libmujoco.so.2.2.2";

    [LibraryImport(LibraryName)]
    internal static partial int mj_version();

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial mjModel* mj_loadXML(string filename, mjVFS* vfs, byte* error, int error_sz);

    [LibraryImport(LibraryName)]
    internal static partial void mj_deleteModel(mjModel* m);

    [LibraryImport(LibraryName)]
    internal static partial mjModel* mj_copyModel(mjModel* dest, mjModel* src);

    [LibraryImport(LibraryName)]
    internal static partial mjData* mj_makeData(mjModel* m);

    [LibraryImport(LibraryName)]
    internal static partial mjData* mj_copyData(mjData* dest, mjModel* m, mjData* src);

    [LibraryImport(LibraryName)]
    internal static partial void mj_deleteData(mjData* d);

    [LibraryImport(LibraryName)]
    internal static partial void mj_step(mjModel* m, mjData* d);

    [LibraryImport(LibraryName)]
    internal static partial void mj_forward(mjModel* m, mjData* d);

    [LibraryImport(LibraryName)]
    internal static partial void mj_resetData(mjModel* m, mjData* d);

    [LibraryImport(LibraryName)]
    internal static partial void mj_resetDataKeyframe(mjModel* m, mjData* d, int key);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mj_name2id(mjModel* m, int type, string name);

    [LibraryImport(LibraryName)]
    internal static partial byte* mj_id2name(mjModel* m, int type, int id);

    [LibraryImport(LibraryName)]
    internal static partial void mj_defaultVFS(mjVFS* vfs);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mj_makeEmptyFileVFS(mjVFS* vfs, string filename, int filesize);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mj_findFileVFS(mjVFS* vfs, string filename);

    [LibraryImport(LibraryName)]
    internal static partial void mj_deleteVFS(mjVFS* vfs);

    [LibraryImport(LibraryName)]
    internal static partial byte* mju_warningText(int warning, int info);

    /// <summary>Address of an exported global variable (e.g. <c>mju_user_error</c>, a function pointer).</summary>
    internal static void* GlobalVariable(string name)
    {
        var lib = NativeLibrary.Load(LibraryName, typeof(MjNative).Assembly, null);
        return (void*)NativeLibrary.GetExport(lib, name);
    }

    /// <summary>
    /// The one error check of this library: MuJoCo reports failure of its allocating calls by returning
    /// NULL and (for the compiler) writing a message into a caller-provided buffer. Turns that into a
    /// typed exception carrying MuJoCo's own text and the failing function's name.
    /// </summary>
    /// <param name="result">The pointer the native call returned.</param>
    /// <param name="function">The C entry point that was called.</param>
    /// <param name="errorBuffer">The NUL-terminated error buffer the call filled, or empty.</param>
    /// <param name="source">For loads: the MJCF file (or in-memory description) being compiled.</param>
    internal static T* Check<T>(T* result, string function, ReadOnlySpan<byte> errorBuffer = default, string? source = null)
        where T : unmanaged
    {
        if (result != null) return result;
        var message = DecodeCString(errorBuffer);
        if (message.Length == 0) message = "returned NULL without a message";
        if (source != null) throw new MjLoadException(source, function, message);
        throw new MjException(function, $"{function} failed: {message}");
    }

    /// <summary>Decodes a NUL-terminated UTF-8 buffer, trimming trailing whitespace.</summary>
    internal static string DecodeCString(ReadOnlySpan<byte> buffer)
    {
        var end = buffer.IndexOf((byte)0);
        if (end >= 0) buffer = buffer[..end];
        return Encoding.UTF8.GetString(buffer).TrimEnd();
    }

    /// <summary>Decodes a NUL-terminated UTF-8 string owned by MuJoCo (not freed here).</summary>
    internal static string? DecodeCString(byte* text) =>
        text == null ? null : Marshal.PtrToStringUTF8((nint)text);
}

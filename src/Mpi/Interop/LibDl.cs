using System.Runtime.InteropServices;

namespace Mlsh.Mpi.Interop;

/// <summary>The dynamic loader entry points of glibc (dlopen lives in libc.so.6 since glibc 2.34).</summary>
internal static unsafe partial class LibDl
{
    private const string Lib = "libc.so.6";

    internal const int RTLD_NOW = 0x002;
    internal const int RTLD_GLOBAL = 0x100;

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint dlopen(string file, int mode);

    [LibraryImport(Lib)]
    internal static partial byte* dlerror();

    /// <summary>The loader's message for the last failure, or a fallback when it has none.</summary>
    internal static string LastError()
    {
        var p = dlerror();
        return p == null ? "no dlerror message" : Marshal.PtrToStringUTF8((nint)p) ?? "no dlerror message";
    }
}

using System.Runtime.InteropServices;

namespace Mlsh.Mqtt.Interop;

/// <summary>The one libc call the MQTT client needs: shutting a socket down underneath libmosquitto.</summary>
internal static partial class LibC
{
    private const string Lib = "libc.so.6";

    internal const int SHUT_RDWR = 2;

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int shutdown(int fd, int how);
}

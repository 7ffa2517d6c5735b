using System.Runtime.InteropServices;

namespace Mlsh.Mqtt.Interop;

/// <summary>
/// Every libmosquitto (Eclipse Mosquitto C client, libmosquitto.so.1, 2.0.x) entry point Mlsh calls,
/// with the C names and the constants of &lt;mosquitto.h&gt;.
/// </summary>
internal static unsafe partial class MosquittoNative
{
    internal const string Lib = "libmosquitto.so.1";

    internal const int MOSQ_ERR_SUCCESS = 0;
    internal const int MOSQ_ERR_INVAL = 3;
    internal const int MOSQ_ERR_NO_CONN = 4;
    internal const int MOSQ_ERR_CONN_LOST = 7;
    internal const int MOSQ_ERR_TLS = 8;
    internal const int MOSQ_ERR_ERRNO = 14;
    internal const int MOSQ_OPT_PROTOCOL_VERSION = 1;
    internal const int MOSQ_OPT_TCP_NODELAY = 11;
    internal const int MQTT_PROTOCOL_V311 = 4;

    // CONNACK return codes of MQTT 3.1.1 that no retry can fix.
    internal const int CONNACK_REFUSED_BAD_USERNAME_PASSWORD = 4;
    internal const int CONNACK_REFUSED_NOT_AUTHORIZED = 5;

    /// <summary>struct mosquitto_message.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct MosquittoMessage
    {
        public int mid;
        public byte* topic;
        public void* payload;
        public int payloadlen;
        public int qos;
        public byte retain; // C bool
    }

    private static readonly Lazy<int> Initialized = new(() =>
    {
        // mosquitto_lib_init is reference counted and sets up the socket and random state once per process;
        // it is never paired with lib_cleanup because clients may live until process exit.
        Check(mosquitto_lib_init(), nameof(mosquitto_lib_init));
        return 0;
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    internal static void EnsureInitialized() => _ = Initialized.Value;

    /// <summary>Throws <see cref="MosquittoException"/> with libmosquitto's own text unless <paramref name="rc"/> is MOSQ_ERR_SUCCESS.</summary>
    /// <param name="errno">The C errno captured right after the call (SetLastError), used for MOSQ_ERR_ERRNO.</param>
    internal static void Check(int rc, string function, int errno = 0)
    {
        if (rc != MOSQ_ERR_SUCCESS) throw new MosquittoException(function, rc, ErrorText(rc, errno));
    }

    /// <summary>mosquitto_strerror, or the C errno text for MOSQ_ERR_ERRNO (libmosquitto leaves the cause in errno).</summary>
    internal static string ErrorText(int rc, int errno = 0)
    {
        // For MOSQ_ERR_ERRNO, mosquitto_strerror reads the network thread's errno; the caller's captured one is the right one.
        if (rc == MOSQ_ERR_ERRNO && errno != 0) return $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
        return Marshal.PtrToStringUTF8((nint)mosquitto_strerror(rc)) ?? $"mosquitto error {rc}";
    }

    internal static string ConnackText(int code) =>
        Marshal.PtrToStringUTF8((nint)mosquitto_connack_string(code)) ?? $"CONNACK code {code}";

    [LibraryImport(Lib)]
    internal static partial int mosquitto_lib_init();

    [LibraryImport(Lib)]
    internal static partial int mosquitto_lib_version(int* major, int* minor, int* revision);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial nint mosquitto_new(string? id, [MarshalAs(UnmanagedType.U1)] bool cleanSession, nint obj);

    [LibraryImport(Lib)]
    internal static partial void mosquitto_destroy(nint mosq);

    [LibraryImport(Lib)]
    internal static partial int mosquitto_int_option(SafeMosquittoHandle mosq, int option, int value);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mosquitto_username_pw_set(SafeMosquittoHandle mosq, string? username, string? password);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mosquitto_will_set(SafeMosquittoHandle mosq, string topic, int payloadlen, byte* payload, int qos,
        [MarshalAs(UnmanagedType.U1)] bool retain);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mosquitto_tls_set(SafeMosquittoHandle mosq, string? cafile, string? capath, string? certfile, string? keyfile, nint pwCallback);

    [LibraryImport(Lib)]
    internal static partial int mosquitto_reconnect_delay_set(SafeMosquittoHandle mosq, uint reconnectDelay, uint reconnectDelayMax,
        [MarshalAs(UnmanagedType.U1)] bool exponentialBackoff);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int mosquitto_connect_async(SafeMosquittoHandle mosq, string host, int port, int keepalive);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int mosquitto_connect(SafeMosquittoHandle mosq, string host, int port, int keepalive);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int mosquitto_reconnect(SafeMosquittoHandle mosq);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int mosquitto_reconnect_async(SafeMosquittoHandle mosq);

    [LibraryImport(Lib)]
    internal static partial int mosquitto_disconnect(SafeMosquittoHandle mosq);

    [LibraryImport(Lib)]
    internal static partial int mosquitto_loop_start(SafeMosquittoHandle mosq);

    /// <summary>One pass of libmosquitto's single-threaded network loop (select up to <paramref name="timeoutMs"/>).</summary>
    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int mosquitto_loop(SafeMosquittoHandle mosq, int timeoutMs, int maxPackets);

    [LibraryImport(Lib)]
    internal static partial int mosquitto_loop_stop(SafeMosquittoHandle mosq, [MarshalAs(UnmanagedType.U1)] bool force);

    [LibraryImport(Lib)]
    internal static partial int mosquitto_socket(SafeMosquittoHandle mosq);

    /// <summary>Topic as NUL-terminated UTF-8 bytes so the caller can encode it on the stack.</summary>
    [LibraryImport(Lib)]
    internal static partial int mosquitto_publish(SafeMosquittoHandle mosq, int* mid, byte* topic, int payloadlen, byte* payload, int qos,
        [MarshalAs(UnmanagedType.U1)] bool retain);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mosquitto_subscribe(SafeMosquittoHandle mosq, int* mid, string sub, int qos);

    [LibraryImport(Lib)]
    internal static partial void mosquitto_connect_callback_set(SafeMosquittoHandle mosq, delegate* unmanaged<nint, nint, int, void> onConnect);

    [LibraryImport(Lib)]
    internal static partial void mosquitto_disconnect_callback_set(SafeMosquittoHandle mosq, delegate* unmanaged<nint, nint, int, void> onDisconnect);

    [LibraryImport(Lib)]
    internal static partial void mosquitto_publish_callback_set(SafeMosquittoHandle mosq, delegate* unmanaged<nint, nint, int, void> onPublish);

    [LibraryImport(Lib)]
    internal static partial void mosquitto_message_callback_set(SafeMosquittoHandle mosq, delegate* unmanaged<nint, nint, MosquittoMessage*, void> onMessage);

    [LibraryImport(Lib)]
    internal static partial void mosquitto_subscribe_callback_set(SafeMosquittoHandle mosq, delegate* unmanaged<nint, nint, int, int, int*, void> onSubscribe);

    [LibraryImport(Lib)]
    internal static partial byte* mosquitto_strerror(int mosqErrno);

    [LibraryImport(Lib)]
    internal static partial byte* mosquitto_connack_string(int connackCode);
}

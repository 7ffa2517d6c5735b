using System.Runtime.InteropServices;

namespace Mlsh.Mqtt.Interop;

/// <summary>Owns one <c>struct mosquitto*</c>; releasing it is mosquitto_destroy.</summary>
/// <remarks>The owner must have stopped the network thread (mosquitto_loop_stop) before disposing it.</remarks>
internal sealed class SafeMosquittoHandle : SafeHandle
{
    public SafeMosquittoHandle() : base(0, ownsHandle: true)
    {
    }

    private static long _live;

    public override bool IsInvalid => handle == 0;

    /// <summary>Native clients created and not yet destroyed in this process (for leak tests).</summary>
    internal static long LiveCount => Interlocked.Read(ref _live);

    internal static SafeMosquittoHandle Create(string? clientId, bool cleanSession, nint userdata)
    {
        MosquittoNative.EnsureInitialized();
        var raw = MosquittoNative.mosquitto_new(clientId, cleanSession, userdata);
        if (raw == 0)
            throw new MosquittoException(nameof(MosquittoNative.mosquitto_new), MosquittoNative.MOSQ_ERR_INVAL,
                $"mosquitto_new returned NULL for client id '{clientId}' ({Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())})");
        var h = new SafeMosquittoHandle();
        h.SetHandle(raw);
        Interlocked.Increment(ref _live);
        return h;
    }

    protected override bool ReleaseHandle()
    {
        MosquittoNative.mosquitto_destroy(handle);
        Interlocked.Decrement(ref _live);
        return true;
    }
}

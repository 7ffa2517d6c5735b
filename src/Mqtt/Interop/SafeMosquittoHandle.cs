using System.Runtime.InteropServices;

namespace Mlsh.Mqtt.Interop;

/// <summary>Owns one <c>struct mosquitto*</c>; releasing it is mosquitto_destroy.</summary>
/// <remarks>The owner must have stopped the network thread (mosquitto_loop_stop) before disposing it.</remarks>
internal sealed class SafeMosquittoHandle : SafeHandle
{
    public SafeMosquittoHandle() : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    internal static SafeMosquittoHandle Create(string? clientId, bool cleanSession, nint userdata)
    {
        MosquittoNative.EnsureInitialized();
        var raw = MosquittoNative.mosquitto_new(clientId, cleanSession, userdata);
        if (raw == 0)
            throw new MosquittoException(nameof(MosquittoNative.mosquitto_new), MosquittoNative.MOSQ_ERR_INVAL,
                $"mosquitto_new returned NULL for client id '{clientId}' ({Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())})");
        var h = new SafeMosquittoHandle();
        h.SetHandle(raw);
        return h;
    }

    protected override bool ReleaseHandle()
    {
        MosquittoNative.mosquitto_destroy(handle);
        return true;
    }
}

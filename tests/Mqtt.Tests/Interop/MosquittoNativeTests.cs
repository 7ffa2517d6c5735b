using Mlsh.Mqtt.Interop;

namespace Mlsh.Mqtt.Tests.Interop;

public sealed class MosquittoNativeTests
{
    [Fact]
    public unsafe void LibVersion_IsMosquitto2()
    {
        MosquittoNative.EnsureInitialized();
        int major, minor, revision;
        MosquittoNative.mosquitto_lib_version(&major, &minor, &revision);

        major.Should().Be(2);
    }

    [Fact]
    public void Check_OnError_ThrowsWithLibmosquittosOwnTextAndTheFunctionName()
    {
        var act = () => MosquittoNative.Check(MosquittoNative.MOSQ_ERR_NO_CONN, "mosquitto_publish");

        act.Should().Throw<MosquittoException>()
            .Where(e => e.Function == "mosquitto_publish" && e.ErrorCode == MosquittoNative.MOSQ_ERR_NO_CONN)
            .WithMessage("mosquitto_publish failed: The client is not currently connected.*");
    }

    [Fact]
    public void ConnackText_ForNotAuthorised_IsTheLibrarysSentence()
    {
        MosquittoNative.ConnackText(MosquittoNative.CONNACK_REFUSED_NOT_AUTHORIZED).Should().Be("Connection Refused: not authorised.");
    }
}

using System.Text;
using Mlsh.Mqtt.Tests.Broker;

namespace Mlsh.Mqtt.Tests;

public sealed class MqttClientTlsTests : IDisposable
{
    private readonly MosquittoBroker _broker = new(tls: true);

    public void Dispose() => _broker.Dispose();

    [Fact]
    public void Tls_WithTheBrokersCa_ConnectsAuthenticatesAndRoundTrips()
    {
        using var op = new MqttClient($"op-{Guid.NewGuid():N}");
        var inbox = new Inbox(op);
        op.Connect(_broker.OptionsFor(MosquittoBroker.OperatorUser));
        Wait.ForState(op, MqttConnectionState.Connected);
        inbox.WaitSubscribed(op.Subscribe("mlsh/telemetry"));
        using var node = new MqttClient($"node-{Guid.NewGuid():N}");
        node.Connect(_broker.OptionsFor(MosquittoBroker.RuntimeUser));
        Wait.ForState(node, MqttConnectionState.Connected);

        node.Publish("mlsh/telemetry", Encoding.UTF8.GetBytes("over-tls"), MqttQos.AtLeastOnce);

        inbox.WaitFor(m => m.Payload == "over-tls", "telemetry over TLS");
    }

    [Fact]
    public void Tls_WithAnUntrustedCa_FailsAtConnectAndIsRefused()
    {
        using var stranger = new MosquittoBroker(start: false, tls: true); // only for its unrelated CA
        using var client = new MqttClient($"mitm-{Guid.NewGuid():N}");

        var act = () => client.Connect(_broker.OptionsFor(MosquittoBroker.RuntimeUser) with { Tls = new MqttTls(stranger.CaFile!) });

        act.Should().Throw<MosquittoException>().Where(e => e.Function == "mosquitto_connect_async" && e.MosquittoMessage.Contains("TLS"));
        client.State.Should().Be(MqttConnectionState.Refused);
        client.Publish("mlsh/telemetry", "x"u8).Should().Be(MqttPublishResult.DroppedNotConnected);
    }
}

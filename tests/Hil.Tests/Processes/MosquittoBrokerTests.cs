using System.Text;
using Mlsh.Hil.Processes;
using Mlsh.Mqtt;

namespace Mlsh.Hil.Tests.Processes;

public class MosquittoBrokerTests
{
    private static MqttClient Connect(MosquittoBroker broker, string password, out List<string> inbox)
    {
        var got = new List<string>();
        inbox = got;
        var c = new MqttClient($"hil-test-{Guid.NewGuid():N}");
        c.MessageReceived += (in MqttMessage m) => { lock (got) got.Add(Encoding.UTF8.GetString(m.Payload)); };
        c.Connect(new MqttConnectOptions
        {
            Host = "127.0.0.1", Port = broker.Port, Username = MosquittoBroker.User, Password = password,
            ReconnectDelay = TimeSpan.FromSeconds(1), ReconnectDelayMax = TimeSpan.FromSeconds(1),
        });
        return c;
    }

    private static bool WaitFor(Func<bool> condition, int ms = 10_000)
    {
        var deadline = Environment.TickCount64 + ms;
        while (!condition()) { if (Environment.TickCount64 > deadline) return false; Thread.Sleep(20); }
        return true;
    }

    [Fact]
    public void Broker_AcceptsTheGeneratedPassword_AndClientsReconnectAfterAKill()
    {
        using var broker = new MosquittoBroker();
        File.ReadAllText(broker.PasswordFile).Should().Be(broker.Password);
        broker.Start();
        using var client = Connect(broker, broker.Password, out var inbox);
        WaitFor(() => client.State == MqttConnectionState.Connected).Should().BeTrue(client.LastError);
        client.Subscribe("mlsh/quadruped/events");

        broker.Kill();
        broker.Running.Should().BeFalse();
        WaitFor(() => client.State != MqttConnectionState.Connected).Should().BeTrue();
        broker.Start();
        WaitFor(() => client.State == MqttConnectionState.Connected).Should().BeTrue("the broker keeps its port, so the client reconnects");

        using var other = Connect(broker, broker.Password, out _);
        WaitFor(() => other.State == MqttConnectionState.Connected).Should().BeTrue();
        WaitFor(() =>
        {
            other.Publish("mlsh/quadruped/events", "{\"level\":\"info\"}"u8, MqttQos.AtLeastOnce);
            Thread.Sleep(100);
            lock (inbox) return inbox.Count > 0;
        }).Should().BeTrue("the subscription is renewed after the reconnect");
    }

    [Fact]
    public void Broker_RefusesAWrongPassword()
    {
        using var broker = new MosquittoBroker();
        broker.Start();
        using var client = Connect(broker, "wrong", out _);
        WaitFor(() => client.State == MqttConnectionState.Refused, 5000).Should().BeTrue($"state {client.State}");
    }
}

using System.Collections.Concurrent;
using System.Text;

namespace Mlsh.Mqtt.Tests;

/// <summary>Collects what a client receives (on libmosquitto's thread) for assertions on the test thread.</summary>
internal sealed class Inbox
{
    internal sealed record Received(string Topic, string Payload, MqttQos Qos, bool Retain);

    private readonly ConcurrentQueue<Received> _messages = new();
    private readonly ConcurrentDictionary<int, bool> _subscribed = new();
    private readonly ConcurrentDictionary<int, bool> _published = new();

    public Inbox(MqttClient client)
    {
        client.MessageReceived += (in MqttMessage m) => _messages.Enqueue(new Received(m.Topic, Encoding.UTF8.GetString(m.Payload), m.Qos, m.Retain));
        client.SubscribeCompleted += mid => _subscribed[mid] = true;
        client.PublishCompleted += mid => _published[mid] = true;
    }

    public IReadOnlyList<Received> Messages => _messages.ToArray();

    public Received WaitFor(Func<Received, bool> match, string what, TimeSpan? timeout = null)
    {
        Received? found = null;
        Wait.Until(() => (found = _messages.FirstOrDefault(match)) is not null, what, timeout);
        return found!;
    }

    public void WaitSubscribed(int mid) => Wait.Until(() => _subscribed.ContainsKey(mid), $"SUBACK for message {mid}");

    public void WaitPublished(int mid) => Wait.Until(() => _published.ContainsKey(mid), $"PUBACK for message {mid}");
}

internal static class Wait
{
    public static void Until(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            Thread.Sleep(5);
        }
    }

    public static void ForState(MqttClient client, MqttConnectionState state, TimeSpan? timeout = null) =>
        Until(() => client.State == state, $"{client.ClientId} to be {state} (is {client.State}, last error: {client.LastError})", timeout);
}

using System.Text;

namespace Mlsh.Mqtt;

/// <summary>MQTT delivery guarantee.</summary>
public enum MqttQos
{
    /// <summary>QoS 0: fire and forget (telemetry).</summary>
    AtMostOnce = 0,

    /// <summary>QoS 1: acknowledged, may duplicate (status, commands).</summary>
    AtLeastOnce = 1,

    /// <summary>QoS 2: acknowledged exactly once.</summary>
    ExactlyOnce = 2,
}

/// <summary>Where the client's connection to the broker stands.</summary>
public enum MqttConnectionState
{
    /// <summary>Created, Connect not called yet.</summary>
    Idle,

    /// <summary>First connection attempt in progress.</summary>
    Connecting,

    /// <summary>CONNACK accepted; publishes go out.</summary>
    Connected,

    /// <summary>Connection lost or broker unreachable; libmosquitto retries with back-off.</summary>
    Reconnecting,

    /// <summary>The connection was refused for good: bad user/password, not authorised, or a TLS verification failure; no retry.</summary>
    Refused,

    /// <summary>Disposed.</summary>
    Closed,
}

/// <summary>Outcome of <see cref="MqttClient.Publish(string, ReadOnlySpan{byte}, MqttQos, bool)"/>.</summary>
public enum MqttPublishResult
{
    /// <summary>Handed to libmosquitto's network thread (QoS 0: will be sent; QoS 1/2: until acknowledged).</summary>
    Queued,

    /// <summary>Not connected: the message was dropped and counted in <see cref="MqttClient.DroppedCount"/>.</summary>
    DroppedNotConnected,
}

/// <summary>The last will the broker publishes for this client if its connection dies without a DISCONNECT.</summary>
public sealed record MqttWill(string Topic, byte[] Payload, MqttQos Qos = MqttQos.AtLeastOnce, bool Retain = true);

/// <summary>Client certificate / CA settings for an MQTT-over-TLS listener.</summary>
/// <param name="CaFile">PEM file of the CA that signed the broker's certificate.</param>
/// <param name="CertFile">Client certificate (PEM), or null for password-only authentication.</param>
/// <param name="KeyFile">Client private key (PEM, unencrypted), required with <paramref name="CertFile"/>.</param>
public sealed record MqttTls(string CaFile, string? CertFile = null, string? KeyFile = null);

/// <summary>How to reach and authenticate with the broker.</summary>
public sealed record MqttConnectOptions
{
    public required string Host { get; init; }

    public int Port { get; init; } = 1883;

    /// <summary>Broker user name; the node's brokers run with allow_anonymous false, so it is required.</summary>
    public required string Username { get; init; }

    public required string Password { get; init; }

    public MqttWill? Will { get; init; }

    public MqttTls? Tls { get; init; }

    /// <summary>MQTT keep-alive; the broker declares the client dead (and publishes the will) after 1.5× this without traffic.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>First reconnect delay; doubles-ish (libmosquitto's quadratic back-off) up to <see cref="ReconnectDelayMax"/>.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectDelayMax { get; init; } = TimeSpan.FromSeconds(10);

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host)) throw new ArgumentException("MQTT host is empty; set the broker address (e.g. 127.0.0.1)", nameof(Host));
        if (Port is < 1 or > 65535) throw new ArgumentOutOfRangeException(nameof(Port), Port, "MQTT port must be in 1..65535");
        if (string.IsNullOrEmpty(Username)) throw new ArgumentException("MQTT username is empty; the broker requires authentication", nameof(Username));
        if (KeepAlive < TimeSpan.FromSeconds(5)) throw new ArgumentOutOfRangeException(nameof(KeepAlive), KeepAlive, "MQTT keep-alive must be at least 5 s (libmosquitto's minimum)");
        if (ReconnectDelay < TimeSpan.FromSeconds(1) || ReconnectDelayMax < ReconnectDelay)
            throw new ArgumentOutOfRangeException(nameof(ReconnectDelay), ReconnectDelay,
                $"reconnect delays are whole seconds with 1 s <= ReconnectDelay <= ReconnectDelayMax (got max {ReconnectDelayMax})");
        if (Tls is { CertFile: not null, KeyFile: null })
            throw new ArgumentException("MQTT TLS: CertFile is set but KeyFile is not; give both or neither", nameof(Tls));
        if (Will is { } w && (string.IsNullOrEmpty(w.Topic) || w.Topic.AsSpan().IndexOfAny('+', '#') >= 0))
            throw new ArgumentException($"MQTT will topic '{w.Topic}' must be a non-empty topic name without wildcards", nameof(Will));
    }
}

/// <summary>
/// A received message, valid only during the <see cref="MqttMessageHandler"/> call (the bytes belong to
/// libmosquitto): copy what you keep.
/// </summary>
public readonly ref struct MqttMessage
{
    internal MqttMessage(ReadOnlySpan<byte> topicUtf8, ReadOnlySpan<byte> payload, MqttQos qos, bool retain)
    {
        TopicUtf8 = topicUtf8;
        Payload = payload;
        Qos = qos;
        Retain = retain;
    }

    public ReadOnlySpan<byte> TopicUtf8 { get; }

    public ReadOnlySpan<byte> Payload { get; }

    public MqttQos Qos { get; }

    /// <summary>True when the broker delivered a retained message (e.g. on subscribe).</summary>
    public bool Retain { get; }

    /// <summary>The topic as a string (allocates; compare <see cref="TopicUtf8"/> on hot paths).</summary>
    public string Topic => Encoding.UTF8.GetString(TopicUtf8);
}

/// <summary>Receives messages on libmosquitto's network thread.</summary>
public delegate void MqttMessageHandler(in MqttMessage message);

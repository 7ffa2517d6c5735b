using Mlsh.Core.Configuration;
using Mlsh.Mqtt;
using Mlsh.Runtime.Configuration;
using Mlsh.Runtime.Control;

namespace Mlsh.Runtime.Telemetry;

/// <summary>
/// The runtime's MQTT side: telemetry JSON at mqtt_telemetry_rate_hz on &lt;prefix&gt;/telemetry, a retained
/// &lt;prefix&gt;/status ("online", with a retained "offline" last will so dashboards see a dead node), operator
/// commands from &lt;prefix&gt;/cmd, and &lt;prefix&gt;/events for command outcomes and errors. Authentication is
/// mandatory (user + password file); the broker's ACL decides who may write the command topic.
/// </summary>
/// <remarks>
/// Threading: a telemetry thread reads the controller's status seqlock and the loop's histograms; libmosquitto's
/// network thread delivers commands to <paramref name="onCommand"/>. Neither touches the control thread, and a
/// broker outage only drops telemetry (publishes never block; libmosquitto reconnects and resubscribes).
/// Owns the MQTT client and its thread; Dispose publishes "offline" and disconnects.
/// </remarks>
public sealed class MqttTelemetry : IDisposable
{
    private readonly MqttSettings _settings;
    private readonly SeqLock<ControllerStatus> _status;
    private readonly Func<LoopTiming?> _timing;
    private readonly MqttClient _client;
    private readonly Thread _thread;
    private readonly string _node;
    private volatile bool _stop;

    /// <param name="onCommand">Called on the MQTT network thread with each command payload; returns (ok, message) for the events topic.</param>
    public MqttTelemetry(MqttSettings settings, string node, SeqLock<ControllerStatus> status, Func<LoopTiming?> timing,
        Func<ReadOnlyMemory<byte>, (bool Ok, string Message)> onCommand)
    {
        _settings = settings;
        _status = status;
        _timing = timing;
        _node = node;
        string password;
        try
        {
            password = File.ReadAllText(settings.PasswordFile).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"parameter 'mqtt_password_file': cannot read the MQTT password: {e.Message}", settings.PasswordFile, e);
        }
        if (password.Length == 0) throw new ConfigException("parameter 'mqtt_password_file': the file is empty, expected the MQTT password", settings.PasswordFile);

        _client = new MqttClient($"{node.Trim('/').Replace('/', '-')}-{Environment.ProcessId}");
        _client.MessageReceived += (in MqttMessage m) =>
        {
            var payload = m.Payload.ToArray();
            var (ok, message) = onCommand(payload);
            Publish(_settings.EventTopic, TelemetryJson.Event(ok, "mqtt", message), MqttQos.AtLeastOnce, retain: false);
        };
        _client.StateChanged += state =>
        {
            if (state == MqttConnectionState.Connected)
                Publish(_settings.StatusTopic, TelemetryJson.Status("online", _node), MqttQos.AtLeastOnce, retain: true);
        };
        _client.Connect(new MqttConnectOptions
        {
            Host = settings.Host,
            Port = settings.Port,
            Username = settings.User,
            Password = password,
            Tls = settings.CaFile is null ? null : new MqttTls(settings.CaFile),
            Will = new MqttWill(settings.StatusTopic, TelemetryJson.Status("offline", node)),
            ReconnectDelay = TimeSpan.FromSeconds(1),
            ReconnectDelayMax = TimeSpan.FromSeconds(5),
        });
        _client.Subscribe(settings.CommandTopic, MqttQos.AtLeastOnce);
        _thread = new Thread(Loop) { IsBackground = true, Name = "mlsh-telemetry" };
        _thread.Start();
    }

    public MqttConnectionState State => _client.State;
    public long PublishedCount => _client.PublishedCount;
    public long DroppedCount => _client.DroppedCount;

    /// <summary>Publishes an event on &lt;prefix&gt;/events (e.g. a handover decision reached after its command returned). Any thread.</summary>
    public void PublishEvent(bool ok, string source, string message) =>
        Publish(_settings.EventTopic, TelemetryJson.Event(ok, source, message), MqttQos.AtLeastOnce, retain: false);

    private void Publish(string topic, ReadOnlySpan<byte> payload, MqttQos qos, bool retain)
    {
        if (_client.State == MqttConnectionState.Connected) _client.Publish(topic, payload, qos, retain);
    }

    private void Loop()
    {
        var json = new TelemetryJson();
        var period = TimeSpan.FromSeconds(1.0 / _settings.TelemetryRateHz);
        while (!_stop)
        {
            var status = _status.Read();
            var doc = json.Telemetry(status, _timing());
            // Not connected: the client drops and counts it; telemetry is a latest-value stream, never queued.
            _client.Publish(_settings.TelemetryTopic, doc.Span, MqttQos.AtMostOnce, retain: false);
            Thread.Sleep(period);
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
        Publish(_settings.StatusTopic, TelemetryJson.Status("offline", _node), MqttQos.AtLeastOnce, retain: true);
        Thread.Sleep(100); // let the network thread send it before the disconnect
        _client.Dispose();
    }
}

using System.Runtime.InteropServices;
using System.Text;
using Mlsh.Core.Interop;
using Mlsh.Mqtt.Interop;

namespace Mlsh.Mqtt;

/// <summary>
/// An MQTT 3.1.1 client over libmosquitto, for the Runtime node's telemetry, retained status (with a last
/// will) and command topics.
/// </summary>
/// <remarks>
/// Threading: network I/O runs on libmosquitto's own thread (mosquitto_loop_start), so no caller ever waits
/// on the network. <see cref="Publish(string, ReadOnlySpan{byte}, MqttQos, bool)"/> may be called from any
/// thread, including the real-time control thread: it only queues the packet (no I/O, no managed
/// allocation) and, while disconnected, drops and counts instead of blocking or throwing.
/// Every event (<see cref="MessageReceived"/>, <see cref="StateChanged"/>, <see cref="PublishCompleted"/>,
/// <see cref="SubscribeCompleted"/>) is raised on libmosquitto's network thread: handlers must be short and
/// must not call <see cref="Dispose"/>. An exception escaping a handler is caught (it must not unwind into C),
/// counted in <see cref="CallbackFaultCount"/> and kept in <see cref="LastCallbackFault"/>.
/// Reconnection is automatic (libmosquitto's back-off) and subscriptions are renewed on every reconnect; a
/// broker that refuses the credentials stops the retries (<see cref="MqttConnectionState.Refused"/>).
/// Lifetime: the client owns the native <c>struct mosquitto</c> and its network thread; it must be disposed
/// (the native thread holds a handle to it, so an undisposed client is never collected).
/// </remarks>
public sealed unsafe class MqttClient : IDisposable
{
    /// <summary>Longest topic <see cref="Publish(string, ReadOnlySpan{byte}, MqttQos, bool)"/> encodes on the stack.</summary>
    public const int MaxTopicBytes = 512;

    [ThreadStatic]
    private static bool t_inCallback;

    private readonly SafeMosquittoHandle _handle;
    private readonly GCHandle _self;
    private readonly Lock _gate = new();
    private readonly List<(string Filter, MqttQos Qos)> _subscriptions = [];
    private int _state = (int)MqttConnectionState.Idle;
    private bool _connectCalled;
    private bool _loopStarted;
    private Timer? _initialRetry;
    private bool _blockingConnect;
    private bool _disposed;
    private long _published;
    private long _dropped;
    private long _callbackFaults;
    private volatile string? _lastError;
    private volatile Exception? _lastCallbackFault;

    /// <param name="clientId">MQTT client id, unique per broker (a second client with the same id disconnects the first).</param>
    public MqttClient(string clientId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clientId);
        ClientId = clientId;
        _self = GCHandle.Alloc(this);
        try
        {
            // Clean session: the node republishes its status and renews subscriptions on every connect anyway,
            // and stale QoS 1 commands queued by the broker while the node was away must not replay.
            _handle = SafeMosquittoHandle.Create(clientId, cleanSession: true, GCHandle.ToIntPtr(_self));
            MosquittoNative.Check(MosquittoNative.mosquitto_int_option(_handle, MosquittoNative.MOSQ_OPT_PROTOCOL_VERSION, MosquittoNative.MQTT_PROTOCOL_V311), "mosquitto_int_option");
            MosquittoNative.Check(MosquittoNative.mosquitto_int_option(_handle, MosquittoNative.MOSQ_OPT_TCP_NODELAY, 1), "mosquitto_int_option");
            MosquittoNative.mosquitto_connect_callback_set(_handle, &OnConnect);
            MosquittoNative.mosquitto_disconnect_callback_set(_handle, &OnDisconnect);
            MosquittoNative.mosquitto_publish_callback_set(_handle, &OnPublish);
            MosquittoNative.mosquitto_message_callback_set(_handle, &OnMessage);
            MosquittoNative.mosquitto_subscribe_callback_set(_handle, &OnSubscribe);
        }
        catch
        {
            _handle?.Dispose();
            _self.Free();
            throw;
        }
    }

    public string ClientId { get; }

    public MqttConnectionState State => (MqttConnectionState)Volatile.Read(ref _state);

    /// <summary>The latest connection problem in libmosquitto's or the broker's words (e.g. the CONNACK refusal text), or null.</summary>
    public string? LastError => _lastError;

    /// <summary>Messages handed to libmosquitto.</summary>
    public long PublishedCount => Interlocked.Read(ref _published);

    /// <summary>Messages dropped because the client was not connected.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Exceptions thrown by event handlers (caught on the network thread).</summary>
    public long CallbackFaultCount => Interlocked.Read(ref _callbackFaults);

    public Exception? LastCallbackFault => _lastCallbackFault;

    /// <summary>A message arrived on a subscribed topic (network thread; the message is valid only during the call).</summary>
    public event MqttMessageHandler? MessageReceived;

    /// <summary>The connection state changed (network thread).</summary>
    public event Action<MqttConnectionState>? StateChanged;

    /// <summary>A publish finished: sent (QoS 0) or acknowledged by the broker (QoS 1/2). Argument: the message id.</summary>
    public event Action<int>? PublishCompleted;

    /// <summary>The broker acknowledged a SUBSCRIBE. Argument: the message id returned by <see cref="Subscribe"/>.</summary>
    public event Action<int>? SubscribeCompleted;

    /// <summary>
    /// Starts connecting in the background and returns at once; watch <see cref="State"/> / <see cref="StateChanged"/>.
    /// An unreachable broker is not an error: the client keeps retrying.
    /// </summary>
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    /// <exception cref="FileNotFoundException">A TLS file does not exist.</exception>
    /// <exception cref="InvalidOperationException">Connect was already called.</exception>
    /// <exception cref="MosquittoException">libmosquitto rejected a setting, or the TLS handshake failed (state becomes Refused).</exception>
    public void Connect(MqttConnectOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connectCalled) throw new InvalidOperationException($"MQTT client '{ClientId}' is already connecting; Connect is called once per client");
            MosquittoNative.Check(MosquittoNative.mosquitto_username_pw_set(_handle, options.Username, options.Password), "mosquitto_username_pw_set");
            if (options.Will is { } will)
            {
                fixed (byte* payload = will.Payload)
                    MosquittoNative.Check(MosquittoNative.mosquitto_will_set(_handle, will.Topic, will.Payload.Length, payload, (int)will.Qos, will.Retain), "mosquitto_will_set");
            }
            if (options.Tls is { } tls)
            {
                foreach (var (field, path) in new[] { ("CaFile", tls.CaFile), ("CertFile", tls.CertFile), ("KeyFile", tls.KeyFile) })
                    if (path is not null && !File.Exists(path)) throw new FileNotFoundException($"MQTT TLS {field} '{path}' does not exist", path);
                MosquittoNative.Check(MosquittoNative.mosquitto_tls_set(_handle, tls.CaFile, null, tls.CertFile, tls.KeyFile, 0), "mosquitto_tls_set");
            }
            MosquittoNative.Check(MosquittoNative.mosquitto_reconnect_delay_set(_handle,
                (uint)options.ReconnectDelay.TotalSeconds, (uint)options.ReconnectDelayMax.TotalSeconds, exponentialBackoff: true), "mosquitto_reconnect_delay_set");

            SetState(MqttConnectionState.Connecting, raise: false);
            // DESIGN: with TLS the first connection is made blocking (mosquitto_connect), which completes the TLS
            // handshake here: a certificate that fails verification is then reported by Connect. Done
            // asynchronously, libmosquitto's network thread meets that error mid-handshake and exits without any
            // callback, leaving the client silently dead. Plain TCP stays asynchronous, so Connect never waits
            // out a TCP time-out on an unreachable host.
            _blockingConnect = options.Tls is not null;
            var keepAlive = (int)options.KeepAlive.TotalSeconds;
            var rc = _blockingConnect
                ? MosquittoNative.mosquitto_connect(_handle, options.Host, options.Port, keepAlive)
                : MosquittoNative.mosquitto_connect_async(_handle, options.Host, options.Port, keepAlive);
            var errno = Marshal.GetLastPInvokeError();
            _connectCalled = true;
            if (rc == MosquittoNative.MOSQ_ERR_ERRNO)
            {
                // DESIGN: broker not reachable yet (e.g. ECONNREFUSED). libmosquitto 2.0.11's network thread never
                // retries when the very first connect failed (it waits for the client to leave its "new" state),
                // so the first connection is retried here and the network thread starts once the socket is up;
                // every later reconnect is libmosquitto's own.
                _lastError = MosquittoNative.ErrorText(rc, errno);
                SetState(MqttConnectionState.Reconnecting, raise: false);
                _initialRetry = new Timer(_ => RetryInitialConnect(), null, options.ReconnectDelay, options.ReconnectDelay);
                return;
            }
            if (rc == MosquittoNative.MOSQ_ERR_SUCCESS && _blockingConnect)
                (rc, errno) = SettleTlsHandshake();
            if (rc != MosquittoNative.MOSQ_ERR_SUCCESS)
            {
                // E.g. MOSQ_ERR_TLS: the broker's certificate failed verification. Retrying cannot fix configuration.
                _lastError = MosquittoNative.ErrorText(rc, errno);
                SetState(MqttConnectionState.Refused, raise: false);
                MosquittoNative.Check(rc, "mosquitto_connect_async", errno);
            }
            if (State != MqttConnectionState.Refused) StartNetworkThread();
        }
    }

    /// <summary>How long Connect waits for a TLS handshake and the CONNACK before leaving them to the network thread.</summary>
    internal static readonly TimeSpan TlsHandshakeBudget = TimeSpan.FromSeconds(10);

    // Caller holds _gate. DESIGN: libmosquitto's blocking connect makes the socket non-blocking before SSL_connect,
    // so the handshake usually stops at WANT_READ and mosquitto_connect returns success before the broker's
    // certificate has even arrived. Whether a bad certificate surfaced at Connect was then a race. Pumping
    // mosquitto_loop on this thread until the CONNACK (or a fatal error) settles it deterministically; a TLS failure
    // met later by libmosquitto's own thread would end that thread without any callback.
    private (int Rc, int Errno) SettleTlsHandshake()
    {
        var deadline = Environment.TickCount64 + (long)TlsHandshakeBudget.TotalMilliseconds;
        while (State is MqttConnectionState.Connecting or MqttConnectionState.Reconnecting && Environment.TickCount64 < deadline)
        {
            var rc = MosquittoNative.mosquitto_loop(_handle, 50, 1);
            var errno = Marshal.GetLastPInvokeError();
            if (rc == MosquittoNative.MOSQ_ERR_SUCCESS) continue;
            // A dropped TCP connection is the network thread's to retry; everything else is configuration.
            return rc is MosquittoNative.MOSQ_ERR_ERRNO or MosquittoNative.MOSQ_ERR_NO_CONN or MosquittoNative.MOSQ_ERR_CONN_LOST
                ? (MosquittoNative.MOSQ_ERR_SUCCESS, 0)
                : (rc, errno);
        }
        return (MosquittoNative.MOSQ_ERR_SUCCESS, 0);
    }

    // Caller holds _gate.
    private void StartNetworkThread()
    {
        MosquittoNative.Check(MosquittoNative.mosquitto_loop_start(_handle), "mosquitto_loop_start");
        _loopStarted = true;
    }

    private void RetryInitialConnect()
    {
        lock (_gate)
        {
            if (_disposed || _loopStarted) return;
            var rc = _blockingConnect ? MosquittoNative.mosquitto_reconnect(_handle) : MosquittoNative.mosquitto_reconnect_async(_handle);
            var errno = Marshal.GetLastPInvokeError();
            if (rc == MosquittoNative.MOSQ_ERR_SUCCESS && _blockingConnect)
                (rc, errno) = SettleTlsHandshake();
            if (rc is not MosquittoNative.MOSQ_ERR_SUCCESS and not MosquittoNative.MOSQ_ERR_ERRNO)
            {
                // The broker is up but its certificate fails verification: stop retrying, as Connect would have.
                _lastError = MosquittoNative.ErrorText(rc, errno);
                _initialRetry?.Dispose();
                _initialRetry = null;
                SetState(MqttConnectionState.Refused, raise: true);
                return;
            }
            if (rc != MosquittoNative.MOSQ_ERR_SUCCESS)
            {
                _lastError = MosquittoNative.ErrorText(rc, errno);
                return;
            }
            if (State == MqttConnectionState.Refused) { _initialRetry?.Dispose(); _initialRetry = null; return; }
            _initialRetry?.Dispose();
            _initialRetry = null;
            try
            {
                StartNetworkThread();
            }
            catch (MosquittoException e)
            {
                _lastError = e.Message;
            }
        }
    }

    /// <inheritdoc cref="Publish(string, ReadOnlySpan{byte}, MqttQos, bool, out int)"/>
    public MqttPublishResult Publish(string topic, ReadOnlySpan<byte> payload, MqttQos qos = MqttQos.AtMostOnce, bool retain = false) =>
        Publish(topic, payload, qos, retain, out _);

    /// <summary>
    /// Queues a message for the network thread. Never blocks on the network and allocates nothing; while not
    /// connected the message is dropped (counted) rather than queued.
    /// </summary>
    /// <param name="messageId">libmosquitto's id for the message (see <see cref="PublishCompleted"/>), 0 when dropped.</param>
    /// <exception cref="ArgumentException">The topic is empty, has wildcards, is longer than <see cref="MaxTopicBytes"/>, or the payload exceeds MQTT's limit.</exception>
    // DESIGN: drop instead of letting libmosquitto queue QoS>0 messages while offline: its queue is unbounded, and
    // after an outage a burst of stale telemetry/status is worse than a gap (the node republishes status on connect).
    public MqttPublishResult Publish(string topic, ReadOnlySpan<byte> payload, MqttQos qos, bool retain, out int messageId)
    {
        ArgumentNullException.ThrowIfNull(topic);
        messageId = 0;
        if (State != MqttConnectionState.Connected)
        {
            Interlocked.Increment(ref _dropped);
            return MqttPublishResult.DroppedNotConnected;
        }
        var topicLength = Encoding.UTF8.GetByteCount(topic);
        if (topicLength is 0 or > MaxTopicBytes)
            throw new ArgumentException($"MQTT topic must be 1..{MaxTopicBytes} UTF-8 bytes, got {topicLength}: '{topic}'", nameof(topic));
        Span<byte> topicUtf8 = stackalloc byte[MaxTopicBytes + 1];
        Encoding.UTF8.GetBytes(topic, topicUtf8);
        topicUtf8[topicLength] = 0;
        int mid = 0, rc;
        try
        {
            fixed (byte* t = topicUtf8)
            fixed (byte* p = payload)
                rc = MosquittoNative.mosquitto_publish(_handle, &mid, t, payload.Length, p, (int)qos, retain);
        }
        catch (ObjectDisposedException)
        {
            // Disposed between the state check and the call (shutdown race): same as disconnected.
            rc = MosquittoNative.MOSQ_ERR_NO_CONN;
        }
        switch (rc)
        {
            case MosquittoNative.MOSQ_ERR_SUCCESS:
                Interlocked.Increment(ref _published);
                messageId = mid;
                return MqttPublishResult.Queued;
            case MosquittoNative.MOSQ_ERR_NO_CONN:
                Interlocked.Increment(ref _dropped);
                return MqttPublishResult.DroppedNotConnected;
            default:
                throw new ArgumentException($"cannot publish to MQTT topic '{topic}' ({payload.Length} bytes): {MosquittoNative.ErrorText(rc)}", nameof(topic));
        }
    }

    /// <summary>
    /// Subscribes now if connected and remembers the filter so it is renewed after every reconnect.
    /// </summary>
    /// <returns>The SUBSCRIBE message id (see <see cref="SubscribeCompleted"/>), or 0 if it will be sent on connect.</returns>
    /// <exception cref="MosquittoException">The filter is invalid (libmosquitto's text says why).</exception>
    public int Subscribe(string topicFilter, MqttQos qos = MqttQos.AtLeastOnce)
    {
        ArgumentException.ThrowIfNullOrEmpty(topicFilter);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _subscriptions.Add((topicFilter, qos));
            if (State != MqttConnectionState.Connected) return 0;
            int mid;
            var rc = MosquittoNative.mosquitto_subscribe(_handle, &mid, topicFilter, (int)qos);
            if (rc == MosquittoNative.MOSQ_ERR_NO_CONN) return 0;
            if (rc != MosquittoNative.MOSQ_ERR_SUCCESS)
            {
                _subscriptions.RemoveAt(_subscriptions.Count - 1);
                MosquittoNative.Check(rc, "mosquitto_subscribe");
            }
            return mid;
        }
    }

    /// <summary>
    /// Cuts the TCP connection underneath libmosquitto without an MQTT DISCONNECT, as a crash or a pulled cable
    /// would: the broker publishes the will and the client reconnects. For tests and fault-injection drills.
    /// </summary>
    internal void SimulateConnectionLoss()
    {
        var fd = MosquittoNative.mosquitto_socket(_handle);
        if (fd >= 0) LibcNative.shutdown(fd, LibcNative.SHUT_RDWR);
    }

    /// <summary>Sends DISCONNECT (so the broker does not publish the will), stops the network thread and frees the client.</summary>
    /// <exception cref="InvalidOperationException">Called from one of this client's event handlers.</exception>
    public void Dispose()
    {
        if (t_inCallback)
            throw new InvalidOperationException("do not dispose an MqttClient from its own event handler: Dispose joins the network thread that runs it");
        bool loopStarted;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            loopStarted = _loopStarted;
            SetState(MqttConnectionState.Closed, raise: false);
            _initialRetry?.Dispose();
            _initialRetry = null;
        }
        // Outside the lock: the network thread may be waiting for it (renewing subscriptions) and we join that thread.
        if (loopStarted)
        {
            MosquittoNative.mosquitto_disconnect(_handle);
            MosquittoNative.mosquitto_loop_stop(_handle, force: false);
        }
        _handle.Dispose();
        _self.Free();
    }

    /// <summary>Moves to <paramref name="state"/> unless the client is already Closed (Dispose wins every race).</summary>
    private bool SetState(MqttConnectionState state, bool raise)
    {
        while (true)
        {
            var current = Volatile.Read(ref _state);
            if (current == (int)MqttConnectionState.Closed) return false;
            if (Interlocked.CompareExchange(ref _state, (int)state, current) != current) continue;
            if (raise && current != (int)state) StateChanged?.Invoke(state);
            return true;
        }
    }

    private void Fault(Exception e)
    {
        Interlocked.Increment(ref _callbackFaults);
        _lastCallbackFault = e;
    }

    private static MqttClient? FromUserdata(nint obj) => obj == 0 ? null : GCHandle.FromIntPtr(obj).Target as MqttClient;

    private void HandleConnect(int rc)
    {
        if (State == MqttConnectionState.Closed) return;
        if (rc != 0)
        {
            _lastError = MosquittoNative.ConnackText(rc);
            if (rc is MosquittoNative.CONNACK_REFUSED_BAD_USERNAME_PASSWORD or MosquittoNative.CONNACK_REFUSED_NOT_AUTHORIZED)
            {
                // Retrying cannot fix credentials; stop libmosquitto's reconnect loop (the thread ends, Dispose joins it).
                SetState(MqttConnectionState.Refused, raise: true);
                MosquittoNative.mosquitto_disconnect(_handle);
            }
            else
            {
                SetState(MqttConnectionState.Reconnecting, raise: true);
            }
            return;
        }
        _lastError = null;
        if (!SetState(MqttConnectionState.Connected, raise: false)) return;
        lock (_gate)
        {
            if (_disposed) return;
            foreach (var (filter, qos) in _subscriptions)
                MosquittoNative.mosquitto_subscribe(_handle, null, filter, (int)qos);
        }
        StateChanged?.Invoke(MqttConnectionState.Connected);
    }

    private void HandleDisconnect(int rc)
    {
        // rc 0 is our own DISCONNECT (Dispose, or after a refusal): keep Closed/Refused as set there.
        if (rc == 0 || State is MqttConnectionState.Closed or MqttConnectionState.Refused) return;
        _lastError = MosquittoNative.ErrorText(rc);
        SetState(MqttConnectionState.Reconnecting, raise: true);
    }

    [UnmanagedCallersOnly]
    private static void OnConnect(nint mosq, nint obj, int rc)
    {
        var client = FromUserdata(obj);
        if (client is null) return;
        t_inCallback = true;
        try { client.HandleConnect(rc); }
        catch (Exception e) { client.Fault(e); }
        finally { t_inCallback = false; }
    }

    [UnmanagedCallersOnly]
    private static void OnDisconnect(nint mosq, nint obj, int rc)
    {
        var client = FromUserdata(obj);
        if (client is null) return;
        t_inCallback = true;
        try { client.HandleDisconnect(rc); }
        catch (Exception e) { client.Fault(e); }
        finally { t_inCallback = false; }
    }

    [UnmanagedCallersOnly]
    private static void OnPublish(nint mosq, nint obj, int mid)
    {
        var client = FromUserdata(obj);
        if (client is null) return;
        t_inCallback = true;
        try { client.PublishCompleted?.Invoke(mid); }
        catch (Exception e) { client.Fault(e); }
        finally { t_inCallback = false; }
    }

    [UnmanagedCallersOnly]
    private static void OnSubscribe(nint mosq, nint obj, int mid, int qosCount, int* grantedQos)
    {
        var client = FromUserdata(obj);
        if (client is null) return;
        t_inCallback = true;
        try { client.SubscribeCompleted?.Invoke(mid); }
        catch (Exception e) { client.Fault(e); }
        finally { t_inCallback = false; }
    }

    [UnmanagedCallersOnly]
    private static void OnMessage(nint mosq, nint obj, MosquittoNative.MosquittoMessage* message)
    {
        var client = FromUserdata(obj);
        if (client is null || message == null) return;
        t_inCallback = true;
        try
        {
            var handlers = client.MessageReceived;
            if (handlers is null) return;
            var msg = new MqttMessage(
                MemoryMarshal.CreateReadOnlySpanFromNullTerminated(message->topic),
                new ReadOnlySpan<byte>(message->payload, message->payloadlen),
                (MqttQos)message->qos,
                message->retain != 0);
            // Each handler on its own: one handler rejecting a malformed command must not starve the others.
            foreach (var handler in Delegate.EnumerateInvocationList(handlers))
            {
                try { handler(in msg); }
                catch (Exception e) { client.Fault(e); }
            }
        }
        catch (Exception e) { client.Fault(e); }
        finally { t_inCallback = false; }
    }
}

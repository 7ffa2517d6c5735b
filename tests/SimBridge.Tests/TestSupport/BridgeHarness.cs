using Mlsh.Ros2;
using Mlsh.Ros2.Messages;
using Mlsh.Ros2.Messages.DiagnosticMsgs;
using Mlsh.Ros2.Qos;
using Mlsh.SimBridge.Configuration;

namespace Mlsh.SimBridge.Tests.TestSupport;

/// <summary>
/// Runs a <see cref="SimBridgeNode"/> in-process on its own thread, on a DDS domain private to the test
/// (ids 201-232, loopback-only discovery, so concurrent test projects — Ros2.Tests uses 100-199 — never cross-talk),
/// plus a peer node the test talks to it through. Dispose stops the sim thread and deletes both nodes.
/// </summary>
public sealed class BridgeHarness : IDisposable
{
    private static int _next = Random.Shared.Next(0, 32);
    private readonly CancellationTokenSource _stop = new();
    private Thread? _thread;
    private Exception? _failure;

    public BridgeHarness(SimBridgeOptions options, bool start = true)
    {
        DomainId = (uint)(201 + Interlocked.Increment(ref _next) % 32);
        var nodeOptions = new RosNodeOptions
        {
            DomainId = DomainId,
            CycloneConfigXml = CycloneConfig.LoopbackOnly(),
            QosEventSink = _ => { },
        };
        Bridge = new SimBridgeNode(options, nodeOptions);
        Peer = new RosNode("sim_test_peer", nodeOptions);
        if (start) Start();
    }

    public uint DomainId { get; }
    public SimBridgeNode Bridge { get; }
    public RosNode Peer { get; }

    /// <summary>Test-side options: lockstep with a short re-publish timeout and 20 Hz diagnostics.</summary>
    public static SimBridgeOptions Lockstep(string layout = "layouts/train/maze-01.yaml") => new()
    {
        Layout = layout,
        TimingMode = TimingMode.Lockstep,
        LockstepWaitTimeoutS = 0.2,
        DiagnosticsRateHz = 20,
    };

    public static SimBridgeOptions RealTime(double commandTimeoutS = 0.2) => new()
    {
        TimingMode = TimingMode.RealTime,
        CommandTimeoutS = commandTimeoutS,
        DiagnosticsRateHz = 20,
    };

    /// <summary>Starts the sim thread (after the peer's endpoints exist, so the first state is not lost to discovery).</summary>
    public void Start()
    {
        _thread = new Thread(() =>
        {
            try { Bridge.Run(_stop.Token); }
            catch (Exception e) { _failure = e; }
        }) { IsBackground = true, Name = "sim-bridge-under-test" };
        _thread.Start();
    }

    public Subscription<T> Subscribe<T>(string topic, QosProfile qos) where T : class, IRosMessage<T>, new()
    {
        var s = Peer.CreateSubscription<T>(topic, qos);
        s.WaitForPublications(1, TimeSpan.FromSeconds(10)).Should().BeTrue($"the bridge publishes {topic}");
        return s;
    }

    public Publisher<T> Publish<T>(string topic) where T : class, IRosMessage<T>, new()
    {
        var p = Peer.CreatePublisher<T>(topic, QosProfile.Commands);
        p.WaitForSubscriptions(1, TimeSpan.FromSeconds(10)).Should().BeTrue($"the bridge subscribes {topic}");
        return p;
    }

    /// <summary>Takes messages in order until one satisfies <paramref name="accept"/> or the timeout passes.</summary>
    public bool TakeUntil<T>(Subscription<T> s, T into, Func<T, bool> accept, TimeSpan timeout) where T : class, IRosMessage<T>, new()
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            ThrowIfBridgeFailed();
            while (s.TryTakeNext(into))
                if (accept(into)) return true;
            s.WaitForData(TimeSpan.FromMilliseconds(50));
        }
        return false;
    }

    public static string? Value(DiagnosticArray d, string key)
    {
        foreach (var status in d.Status)
            foreach (var kv in status.Values)
                if (kv.Key == key) return kv.Value;
        return null;
    }

    public void ThrowIfBridgeFailed()
    {
        if (_failure is { } e) throw new InvalidOperationException("the bridge's sim thread failed", e);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread?.Join(TimeSpan.FromSeconds(10));
        Peer.Dispose();
        Bridge.Dispose();
        ThrowIfBridgeFailed();
    }
}

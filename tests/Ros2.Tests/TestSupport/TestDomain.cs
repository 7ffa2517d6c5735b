using Mlsh.Ros2.Qos;

namespace Mlsh.Ros2.Tests.TestSupport;

/// <summary>
/// A DDS domain private to one test: a random id in 100-199 (so parallel test runs on this machine do not
/// cross-talk) and loopback-only discovery.
/// </summary>
public sealed class TestDomain
{
    private static int _next = Random.Shared.Next(100, 200);

    public TestDomain()
    {
        // Distinct ids for tests of one run, random start so two concurrent runs rarely collide.
        Id = (uint)(100 + (Interlocked.Increment(ref _next) % 100));
    }

    public uint Id { get; }

    public List<QosEvent> QosEvents { get; } = [];

    public RosNodeOptions Options(string ns = "/") => new()
    {
        Namespace = ns,
        DomainId = Id,
        CycloneConfigXml = CycloneConfig.LoopbackOnly(),
        QosEventSink = e => { lock (QosEvents) QosEvents.Add(e); },
    };

    public RosNode Node(string name, string ns = "/") => new(name, Options(ns));

    /// <summary>Polls <paramref name="condition"/> every 10 ms until true or the timeout; returns the last result.</summary>
    public static bool Eventually(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return condition();
            Thread.Sleep(10);
        }
        return true;
    }
}

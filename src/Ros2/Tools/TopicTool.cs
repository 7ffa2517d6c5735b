using System.Diagnostics;
using System.Globalization;
using Mlsh.Ros2.Graph;
using Mlsh.Ros2.Messages;
using Mlsh.Ros2.Messages.SensorMsgs;
using Mlsh.Ros2.Qos;

namespace Mlsh.Ros2.Tools;

/// <summary>
/// What `./mlsh topic list|echo|pub|hz` does, like `ros2 topic`, plus the relay and pong roles used as the second
/// process in two-process tests and the DDS benchmark. Each method runs on the calling thread until done or
/// cancelled and returns a process exit code (0 ok, 1 nothing received / timeout, 2 bad input).
/// </summary>
public static class TopicTool
{
    /// <summary>Prints discovered ROS topics ("/name [type]") and, with <paramref name="nodes"/>, ROS nodes.</summary>
    public static int List(RosNode node, TextWriter output, TimeSpan discoveryWait, bool showTypes, bool nodes)
    {
        using var graph = new RosGraph(node);
        Thread.Sleep(discoveryWait); // discovery is asynchronous: give peers time to announce themselves
        foreach (var t in graph.Topics().Where(t => t.RosName != null))
            output.WriteLine(showTypes ? $"{t.RosName} [{t.RosTypeName}] pubs={t.Publishers} subs={t.Subscriptions}" : t.RosName);
        if (nodes)
            foreach (var n in graph.Nodes()) output.WriteLine($"node {n.FullyQualifiedName}");
        return 0;
    }

    /// <summary>Finds the message type of a topic from discovery when the user did not give one.</summary>
    public static RosMessageInfo ResolveType(RosNode node, string topic, string? type, TimeSpan timeout)
    {
        if (type != null) return MessageRegistry.Find(type);
        var fqn = RosNames.ResolveTopic(topic, node.Namespace, node.Name);
        using var graph = new RosGraph(node);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            var found = graph.Topics().FirstOrDefault(t => t.RosName == fqn);
            if (found != null) return MessageRegistry.Find(found.RosTypeName);
            Thread.Sleep(50);
        }
        throw new ArgumentException($"topic {fqn}: no publisher or subscriber discovered within {timeout.TotalSeconds:0.#} s; pass --type <pkg/msg/Type>");
    }

    /// <summary>Prints each received message as YAML separated by "---", up to <paramref name="count"/> (0 = unlimited).</summary>
    public static int Echo(RosNode node, string topic, RosMessageInfo type, QosProfile qos, int count, TimeSpan timeout,
        TextWriter output, CancellationToken cancel)
    {
        using var sub = type.CreateSubscription(node, topic, qos);
        var message = type.Create();
        var received = 0;
        var idle = Stopwatch.StartNew();
        while (!cancel.IsCancellationRequested && (count == 0 || received < count))
        {
            if (idle.Elapsed > timeout) return received > 0 ? 0 : 1;
            if (!sub.WaitForData(TimeSpan.FromMilliseconds(100))) continue;
            while ((count == 0 || received < count) && sub.TryTakeNext(message))
            {
                output.Write(MessageText.Format(message));
                output.WriteLine("---");
                output.Flush();
                received++;
                idle.Restart();
            }
        }
        return 0;
    }

    /// <summary>
    /// Publishes a message built from "field=value" assignments at <paramref name="rateHz"/>, <paramref name="times"/>
    /// times (0 = until cancelled), after waiting up to <paramref name="matchWait"/> for a subscriber.
    /// </summary>
    public static int Pub(RosNode node, string topic, RosMessageInfo type, IEnumerable<string> assignments, double rateHz, int times,
        QosProfile qos, TimeSpan matchWait, TextWriter output, CancellationToken cancel)
    {
        if (rateHz <= 0) throw new ArgumentException($"--rate {rateHz}: expected a positive rate in Hz");
        var message = type.Create();
        foreach (var a in assignments) MessageText.Assign(message, a);
        using var pub = type.CreatePublisher(node, topic, qos);
        pub.WaitForSubscriptions(1, matchWait);
        var period = TimeSpan.FromSeconds(1 / rateHz);
        var clock = Stopwatch.StartNew();
        for (var i = 0; (times == 0 || i < times) && !cancel.IsCancellationRequested; i++)
        {
            pub.Publish(message);
            output.WriteLine($"publishing #{i + 1}: {type.Type.RosName} on {topic}");
            var next = period * (i + 1) - clock.Elapsed;
            if (next > TimeSpan.Zero) cancel.WaitHandle.WaitOne(next);
        }
        return 0;
    }

    /// <summary>Measures the receive rate over <paramref name="duration"/>; prints it once a second and returns it.</summary>
    public static double Hz(RosNode node, string topic, RosMessageInfo type, TimeSpan duration, TextWriter output, CancellationToken cancel)
    {
        using var sub = type.CreateSubscription(node, topic, QosProfile.SensorData);
        var message = type.Create();
        long count = 0;
        var first = TimeSpan.Zero;
        var last = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        var nextReport = TimeSpan.FromSeconds(1);
        while (clock.Elapsed < duration && !cancel.IsCancellationRequested)
        {
            if (sub.WaitForData(TimeSpan.FromMilliseconds(100)))
                while (sub.TryTakeNext(message))
                {
                    if (count == 0) first = clock.Elapsed;
                    last = clock.Elapsed;
                    count++;
                }
            if (clock.Elapsed >= nextReport)
            {
                output.WriteLine(count > 1 ? $"average rate: {Rate(count, first, last).ToString("F3", CultureInfo.InvariantCulture)} Hz ({count} msgs)" : "no new messages");
                nextReport += TimeSpan.FromSeconds(1);
            }
        }
        return count > 1 ? Rate(count, first, last) : 0;
    }

    private static double Rate(long count, TimeSpan first, TimeSpan last) =>
        last > first ? (count - 1) / (last - first).TotalSeconds : 0;

    /// <summary>Republishes every message of <paramref name="from"/> on <paramref name="to"/> until cancelled.</summary>
    public static void Relay(RosNode node, RosMessageInfo type, string from, string to, QosProfile qos, CancellationToken cancel)
    {
        using var sub = type.CreateSubscription(node, from, qos);
        using var pub = type.CreatePublisher(node, to, qos);
        var message = type.Create();
        while (!cancel.IsCancellationRequested)
        {
            if (!sub.WaitForData(TimeSpan.FromMilliseconds(100))) continue;
            while (sub.TryTakeNext(message)) pub.Publish(message);
        }
    }

    /// <summary>QoS of the ping/pong latency test: reliable keep last 1, as ddsperf's ping/pong.</summary>
    public static QosProfile PingPongQos { get; } = new(Reliability.Reliable, Durability.Volatile, History.KeepLast, 1);

    /// <summary>Answers every JointState on <paramref name="pingTopic"/> on <paramref name="pongTopic"/> (the latency peer).</summary>
    public static void Pong(RosNode node, string pingTopic, string pongTopic, CancellationToken cancel) =>
        Pong(node, pingTopic, pongTopic, PingPongTrigger.Waitset, cancel);

    /// <summary>
    /// <see cref="Pong(RosNode, string, string, CancellationToken)"/>, answering from a reader thread blocked on
    /// a waitset or, with <see cref="PingPongTrigger.Listener"/>, from Cyclone's receive thread.
    /// </summary>
    public static void Pong(RosNode node, string pingTopic, string pongTopic, PingPongTrigger trigger, CancellationToken cancel)
    {
        using var sub = node.CreateSubscription<JointState>(pingTopic, PingPongQos);
        using var pub = node.CreatePublisher<JointState>(pongTopic, PingPongQos);
        var message = new JointState();
        if (trigger == PingPongTrigger.Listener)
        {
            sub.SetDataAvailableHandler(() => { while (sub.TryTakeNext(message)) pub.Publish(message); });
            cancel.WaitHandle.WaitOne();
            sub.SetDataAvailableHandler(null); // before the publisher goes: no handler may run on a disposed one
            return;
        }
        // One take per wake-up: the read condition is level-triggered, so a second pending ping wakes the next
        // wait at once, and the take that would find the reader empty after each answer is saved.
        while (!cancel.IsCancellationRequested)
            if (sub.WaitForData(TimeSpan.FromMilliseconds(200)) && sub.TryTakeNext(message)) pub.Publish(message);
    }
}

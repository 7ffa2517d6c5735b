using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Mlsh.Ros2.Messages.SensorMsgs;

namespace Mlsh.Ros2.Tools;

/// <summary>How the ping/pong endpoints learn that a message arrived.</summary>
public enum PingPongTrigger
{
    /// <summary>A reader thread blocks on a DDS waitset (rmw_cyclonedds' way; ddsperf's "waitset").</summary>
    Waitset,

    /// <summary>A DDS listener runs the handler on Cyclone's receive thread (ddsperf's default "listener").</summary>
    Listener,
}

/// <summary>Round-trip latency of one ping/pong run.</summary>
public readonly record struct PingPongResult(int PayloadBytes, long RoundTrips, double P50Us, double P99Us, double MeanUs);

/// <summary>
/// JointState ping/pong latency through Mlsh's stack, and the same measurement by Cyclone's own `ddsperf` at
/// the same payload size, so `./mlsh bench dds` reports Mlsh against raw Cyclone measured in the same run.
/// </summary>
public static partial class PingPong
{
    /// <summary>
    /// Sends a <paramref name="joints"/>-joint JointState on <paramref name="pingTopic"/> and waits (waitset) for
    /// the peer's echo on <paramref name="pongTopic"/>, one round trip at a time. Needs a peer running
    /// <see cref="TopicTool.Pong"/>. Throws <see cref="TimeoutException"/> if the peer never answers.
    /// </summary>
    public static PingPongResult MeasureMlsh(RosNode node, string pingTopic, string pongTopic, int joints, int warmup, int roundTrips, TimeSpan matchTimeout)
    {
        using var pub = node.CreatePublisher<JointState>(pingTopic, TopicTool.PingPongQos);
        using var sub = node.CreateSubscription<JointState>(pongTopic, TopicTool.PingPongQos);
        if (!pub.WaitForSubscriptions(1, matchTimeout) || !sub.WaitForPublications(1, matchTimeout))
            throw new TimeoutException($"no pong peer matched {pingTopic}/{pongTopic} within {matchTimeout.TotalSeconds:0} s");
        var ping = JointState.WithJoints(JointNames(joints), "base_link");
        var pong = new JointState();
        var rtt = new long[roundTrips];
        var clock = Stopwatch.StartNew();
        // Warm up for the given count and at least 2 s: tiered JIT promotes hot methods ~100 ms after they get
        // hot, in both processes, and those recompilations must not land in the timed window.
        long sequence = 0;
        for (var w = 0; w < warmup || clock.Elapsed < TimeSpan.FromSeconds(2); w++)
            RoundTrip(pub, sub, ping, pong, sequence++, clock);
        for (var i = 0; i < roundTrips; i++) rtt[i] = RoundTrip(pub, sub, ping, pong, sequence++, clock);
        return Summarize(pub.LastMessageSize, rtt);
    }

    /// <summary>
    /// <see cref="MeasureMlsh(RosNode, string, string, int, int, int, TimeSpan)"/> with a choice of trigger. With
    /// <see cref="PingPongTrigger.Listener"/> each echo is taken, timed and answered with the next ping on
    /// Cyclone's receive thread, as ddsperf's listener mode does; the calling thread only waits for the end and
    /// re-sends a ping lost for 1 s.
    /// </summary>
    public static PingPongResult MeasureMlsh(RosNode node, string pingTopic, string pongTopic, int joints, int warmup, int roundTrips,
        TimeSpan matchTimeout, PingPongTrigger trigger)
    {
        if (trigger == PingPongTrigger.Waitset) return MeasureMlsh(node, pingTopic, pongTopic, joints, warmup, roundTrips, matchTimeout);
        using var pub = node.CreatePublisher<JointState>(pingTopic, TopicTool.PingPongQos);
        using var sub = node.CreateSubscription<JointState>(pongTopic, TopicTool.PingPongQos);
        if (!pub.WaitForSubscriptions(1, matchTimeout) || !sub.WaitForPublications(1, matchTimeout))
            throw new TimeoutException($"no pong peer matched {pingTopic}/{pongTopic} within {matchTimeout.TotalSeconds:0} s");
        var run = new ListenerRun(pub, sub, joints, warmup, roundTrips);
        sub.SetDataAvailableHandler(run.OnData);
        try
        {
            run.Send();
            long seen = -1;
            while (!run.Finished.Wait(TimeSpan.FromSeconds(1)))
            {
                if (run.Progress == seen) run.Send(); // nothing for 1 s: the ping (or its echo) was lost
                seen = run.Progress;
            }
        }
        finally
        {
            sub.SetDataAvailableHandler(null);
        }
        return Summarize(pub.LastMessageSize, run.RoundTripTicks);
    }

    /// <summary>The listener-driven ping side: state shared by Cyclone's receive thread and the waiting caller.</summary>
    private sealed class ListenerRun(Publisher<JointState> pub, Subscription<JointState> sub, int joints, int warmup, int roundTrips)
    {
        private readonly JointState _ping = JointState.WithJoints(JointNames(joints), "base_link");
        private readonly JointState _pong = new();
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly object _sendLock = new(); // the caller's re-send and the handler share the publisher
        private long _sequence;
        private long _start;
        private int _warmupLeft = warmup;
        private int _timed;

        public long[] RoundTripTicks { get; } = new long[roundTrips];
        public ManualResetEventSlim Finished { get; } = new();
        public long Progress => Volatile.Read(ref _sequence);

        public void Send()
        {
            lock (_sendLock)
            {
                _ping.Position[0] = _sequence;
                _start = Stopwatch.GetTimestamp();
                _ping.Header.Stamp.SetNanoseconds(_clock.Elapsed.Ticks * 100);
                pub.Publish(_ping);
            }
        }

        public void OnData()
        {
            if (Finished.IsSet || !sub.TryTake(_pong) || _pong.Position[0] != _sequence) return;
            var elapsed = Stopwatch.GetTimestamp() - _start;
            // Warm up for the given count and at least 2 s, as the waitset run does.
            if (_warmupLeft > 0 || _clock.Elapsed < TimeSpan.FromSeconds(2)) _warmupLeft--;
            else RoundTripTicks[_timed++] = elapsed;
            if (_timed == RoundTripTicks.Length)
            {
                Finished.Set();
                return;
            }
            Volatile.Write(ref _sequence, _sequence + 1);
            Send();
        }
    }

    /// <summary>One ping and the wait for its echo (identified by position[0]); returns Stopwatch ticks.</summary>
    private static long RoundTrip(Publisher<JointState> pub, Subscription<JointState> sub, JointState ping, JointState pong, long sequence, Stopwatch clock)
    {
        ping.Position[0] = sequence;
        var start = Stopwatch.GetTimestamp();
        ping.Header.Stamp.SetNanoseconds(clock.Elapsed.Ticks * 100);
        pub.Publish(ping);
        // DESIGN: wait first, then take. The waitset's read condition is level-triggered (it stays set while a
        // sample is pending), so an echo that arrived before the wait is not missed, and the take that would
        // find the reader empty right after the publish is saved on every round trip (as in the C reference).
        // A lost ping (none expected on loopback with reliable QoS) is re-sent after 1 s.
        while (true)
        {
            if (!sub.WaitForData(TimeSpan.FromSeconds(1))) pub.Publish(ping);
            else if (sub.TryTake(pong) && pong.Position[0] == sequence) break;
        }
        return Stopwatch.GetTimestamp() - start;
    }

    /// <summary>The joint names of the benchmark message ("joint_00", ...).</summary>
    public static string[] JointNames(int joints) => Enumerable.Range(0, joints).Select(i => $"joint_{i:D2}").ToArray();

    /// <summary>Pools two runs, weighting each by its number of round trips.</summary>
    public static PingPongResult Pool(PingPongResult a, PingPongResult b)
    {
        var n = a.RoundTrips + b.RoundTrips;
        double W(double x, double y) => (x * a.RoundTrips + y * b.RoundTrips) / n;
        return new PingPongResult(a.PayloadBytes, n, W(a.P50Us, b.P50Us), W(a.P99Us, b.P99Us), W(a.MeanUs, b.MeanUs));
    }

    private static PingPongResult Summarize(int payload, long[] ticks)
    {
        var us = ticks.Select(t => t * 1e6 / Stopwatch.Frequency).Order().ToArray();
        return new PingPongResult(payload, us.Length, Percentile(us, 0.50), Percentile(us, 0.99), us.Average());
    }

    private static double Percentile(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];

    /// <summary>
    /// Runs `ddsperf pong` and `ddsperf ping size N waitset` on <paramref name="domain"/> for
    /// <paramref name="seconds"/> with the same serialized size as <paramref name="payloadBytes"/> (encapsulation
    /// header included) and returns its round trips (see <see cref="ParseDdsperfPing"/>).
    /// <paramref name="cycloneConfigXml"/> goes to CYCLONEDDS_URI.
    /// </summary>
    public static PingPongResult MeasureDdsperf(uint domain, int payloadBytes, int seconds, string cycloneConfigXml) =>
        MeasureDdsperf(domain, payloadBytes, seconds, cycloneConfigXml, PingPongTrigger.Waitset);

    /// <summary><see cref="MeasureDdsperf(uint, int, int, string)"/> in ddsperf's waitset or listener mode.</summary>
    public static PingPongResult MeasureDdsperf(uint domain, int payloadBytes, int seconds, string cycloneConfigXml, PingPongTrigger trigger)
    {
        var mode = trigger == PingPongTrigger.Listener ? "listener" : "waitset";
        // ddsperf's "size S" is the KeyedSeq payload after the 4-byte encapsulation header (seq, key, octet
        // sequence: S >= 12), so S = payloadBytes - 4 puts the same number of bytes on the wire as our message.
        var size = payloadBytes - Cdr.CdrWriter.HeaderSize;
        if (size < 12) throw new ArgumentOutOfRangeException(nameof(payloadBytes), $"ddsperf needs a payload of at least 16 bytes, got {payloadBytes}");
        using var pong = StartDdsperf($"-i {domain} -D {seconds + 3} pong {mode}", cycloneConfigXml);
        try
        {
            using var ping = StartDdsperf($"-i {domain} -D {seconds + 1} ping size {size} {mode}", cycloneConfigXml);
            var output = ping.StandardOutput.ReadToEnd();
            ping.WaitForExit();
            return ParseDdsperfPing(output, payloadBytes)
                ?? throw new InvalidOperationException($"ddsperf reported no round trips (exit {ping.ExitCode}): {output}{ping.StandardError.ReadToEnd()}");
        }
        finally
        {
            if (!pong.WaitForExit(5_000)) pong.Kill();
        }
    }

    /// <summary>
    /// Round trips from the output of `ddsperf ping`: its per-second latency lines, first one dropped (warm-up),
    /// averaged weighted by their counts; null when there is none.
    /// </summary>
    /// <remarks>
    /// DESIGN: ddsperf does not print round trips. Its pong handler records (now - ping's source timestamp) / 2,
    /// the one-way latency (src/tools/ddsperf/ddsperf.c, process_pong, Cyclone 0.10.2), and "mean/50%/99%" are
    /// percentiles of that. Every value is doubled here so it compares with Mlsh's and the C reference's
    /// measured round trips. The line's own count confirms it: ping waits for its pong, so count x mean is about
    /// half a second per second of ping, not a whole one.
    /// </remarks>
    internal static PingPongResult? ParseDdsperfPing(string output, int payloadBytes)
    {
        var lines = RoundTripLine().Matches(output).Select(m => (
            Mean: Parse(m.Groups["mean"].Value), P50: Parse(m.Groups["p50"].Value), P99: Parse(m.Groups["p99"].Value),
            Count: long.Parse(m.Groups["cnt"].Value, CultureInfo.InvariantCulture))).ToList();
        if (lines.Count > 1) lines.RemoveAt(0);
        var total = lines.Sum(l => l.Count);
        if (total == 0) return null;
        double RoundTripUs(Func<(double Mean, double P50, double P99, long Count), double> f) => 2 * lines.Sum(l => f(l) * l.Count) / total;
        return new PingPongResult(payloadBytes, total, RoundTripUs(l => l.P50), RoundTripUs(l => l.P99), RoundTripUs(l => l.Mean));
    }

    /// <summary>
    /// The same JointState ping/pong written in C against Cyclone (idlc types, dds_write/dds_take): the reference
    /// for what the message itself costs in Cyclone. Builds <see cref="CyclonePingPongReference"/> once, runs its
    /// pong and ping processes and returns the ping's round trips.
    /// </summary>
    public static PingPongResult MeasureCycloneC(uint domain, int joints, int roundTrips, string cycloneConfigXml)
    {
        using var reference = CyclonePingPongReference.Build(cycloneConfigXml);
        return reference.Measure(domain, joints, roundTrips);
    }

    /// <summary>Serialized size (encapsulation header included) of the benchmark's JointState.</summary>
    public static int JointStateSize(int joints)
    {
        var writer = new Cdr.CdrWriter();
        JointState.WithJoints(JointNames(joints), "base_link").Serialize(writer);
        return writer.Length;
    }

    internal static string RunTool(string file, string args, string dir, string config)
    {
        using var p = Start(file, args, dir, config);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(); throw new TimeoutException($"{file} {args} did not finish"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {args} exited with {p.ExitCode}: {stderr.Result}{stdout.Result}");
        return stdout.Result;
    }

    internal static Process Start(string file, string args, string dir, string config)
    {
        var psi = new ProcessStartInfo(file, args) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.Environment["CYCLONEDDS_URI"] = config;
        try
        {
            return Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot start {file} ({e.Message}); run scripts/setup.sh (cyclonedds-tools, cyclonedds-dev, gcc)", e);
        }
    }

    internal static double Parse(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    private static Process StartDdsperf(string arguments, string config)
    {
        var psi = new ProcessStartInfo("ddsperf", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["CYCLONEDDS_URI"] = config;
        try
        {
            return Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot start ddsperf ({e.Message}); install cyclonedds-tools (scripts/setup.sh)", e);
        }
    }

    // e.g. "[13271] 2.000  vm:13270 size 448 mean 47.665us min 12.818us 50% 46.213us 90% 62.162us 99% 78.501us max 1699.194us cnt 10459"
    [GeneratedRegex(@"size \d+ mean (?<mean>[\d.]+)us min [\d.]+us 50% (?<p50>[\d.]+)us 90% [\d.]+us 99% (?<p99>[\d.]+)us max [\d.]+us cnt (?<cnt>\d+)")]
    private static partial Regex RoundTripLine();
}

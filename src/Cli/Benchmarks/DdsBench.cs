using System.CommandLine;
using System.Diagnostics;
using Mlsh.Ros2;
using Mlsh.Ros2.Tools;

namespace Mlsh.Cli.Benchmarks;

/// <summary>
/// `./mlsh bench dds`: JointState ping/pong round trip between this process and a second one
/// (`./mlsh topic pong`) through Mlsh's ROS 2 stack, against Cyclone's own `ddsperf` ping/pong at the same
/// payload size in the same run, both on loopback in a private domain.
/// </summary>
public sealed class DdsBench : IBench
{
    private readonly Option<int> _roundTrips = new("--round-trips") { Description = "Timed round trips (after warm-up).", DefaultValueFactory = _ => 20_000 };
    private readonly Option<int> _joints = new("--joints") { Description = "Joints in the JointState.", DefaultValueFactory = _ => 12 };
    private readonly Option<int> _seconds = new("--ddsperf-seconds") { Description = "Duration of the ddsperf run.", DefaultValueFactory = _ => 5 };
    private readonly Option<string> _trigger = new("--trigger")
    {
        Description = "How all three paths learn of an arrival: waitset (reader thread, as rmw_cyclonedds) or listener (Cyclone's receive thread).",
        DefaultValueFactory = _ => "waitset",
    };

    public DdsBench()
    {
        _trigger.AcceptOnlyFromAmong("waitset", "listener");
        _roundTrips.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 100) r.AddError($"--round-trips: expected >= 100, got {r.GetValueOrDefault<int>()}"); });
        _joints.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError($"--joints: expected >= 1, got {r.GetValueOrDefault<int>()}"); });
    }

    public string Name => "dds";
    public string Description => "JointState ping/pong between two processes vs Cyclone ddsperf at the same size (p50/p99 us).";
    public IEnumerable<Option> Options => [_roundTrips, _joints, _seconds, _trigger];

    public int Run(ParseResult parse, bool json)
    {
        var roundTrips = parse.GetValue(_roundTrips);
        var joints = parse.GetValue(_joints);
        var trigger = parse.GetValue(_trigger) == "listener" ? PingPongTrigger.Listener : PingPongTrigger.Waitset; // validated by the parser
        var domain = (uint)Random.Shared.Next(201, 232);
        var config = CycloneConfig.LoopbackOnly();
        var seconds = Math.Max(2, parse.GetValue(_seconds));
        var payload = PingPong.JointStateSize(joints);

        // DESIGN: the three paths run interleaved, in two rounds with the order reversed (ddsperf, C, Mlsh, then
        // Mlsh, C, ddsperf), each round doing half the work, and the halves are pooled: load drift on a shared
        // machine then lands on all three alike instead of on whichever ran last. All three measure round trips,
        // reliable keep-last-1, with the same trigger (waitset or listener), on the same loopback configuration.
        using var reference = CyclonePingPongReference.Build(config);
        var half = roundTrips / 2;
        PingPongResult? mlsh = null, ddsperf = null, c = null;
        static PingPongResult Add(PingPongResult? pooled, PingPongResult run) => pooled is { } p ? PingPong.Pool(p, run) : run;
        using (var peer = StartPong(domain, trigger))
        {
            try
            {
                if (peer.StandardOutput.ReadLine() != "ready") throw new InvalidOperationException("the pong peer did not start: " + peer.StandardError.ReadToEnd());
                using var node = new RosNode("mlsh_ping", new RosNodeOptions { DomainId = domain, CycloneConfigXml = config });
                for (var round = 0; round < 2; round++)
                {
                    Action[] steps =
                    [
                        () => ddsperf = Add(ddsperf, PingPong.MeasureDdsperf(domain, payload, (seconds + 1) / 2, config, trigger)),
                        () => c = Add(c, reference.Measure(domain, joints, half, trigger)),
                        () => mlsh = Add(mlsh, PingPong.MeasureMlsh(node, "/mlsh_ping", "/mlsh_pong", joints, warmup: 2_000, half, TimeSpan.FromSeconds(20), trigger)),
                    ];
                    if (round == 1) Array.Reverse(steps);
                    foreach (var step in steps) step();
                }
            }
            finally
            {
                peer.Kill();
                peer.WaitForExit();
            }
        }
        var m = mlsh!.Value;
        var d = ddsperf!.Value;
        var r = c!.Value;
        var ratio = m.P50Us / d.P50Us;
        // ddsperf's payload is one octet sequence; the C run sends the very same JointState (12 strings, 3 double
        // sequences) through Cyclone's C API, which separates the cost of the message from the cost of Mlsh.
        Console.WriteLine($"payload {m.PayloadBytes} B (JointState, {joints} joints, XCDR1), loopback, domain {domain}, reliable keep-last-1, {trigger.ToString().ToLowerInvariant()}");
        Console.WriteLine($"{"path",-28} {"round trips",12} {"p50 us",8} {"p99 us",8} {"mean us",8}");
        Console.WriteLine($"{"Mlsh.Ros2 (2 processes)",-28} {m.RoundTrips,12} {m.P50Us,8:F1} {m.P99Us,8:F1} {m.MeanUs,8:F1}");
        Console.WriteLine($"{"ddsperf ping/pong (ref)",-28} {d.RoundTrips,12} {d.P50Us,8:F1} {d.P99Us,8:F1} {d.MeanUs,8:F1}");
        Console.WriteLine($"{"C + Cyclone, same JointState",-28} {r.RoundTrips,12} {r.P50Us,8:F1} {r.P99Us,8:F1} {r.MeanUs,8:F1}");
        Console.WriteLine("all rows are round trips; ddsperf prints one-way latency (round trip / 2), shown here doubled");
        Console.WriteLine($"p50 ratio vs ddsperf: {ratio:F2} (target <= 1.3); vs C JointState ping/pong: {m.P50Us / r.P50Us:F2}");
        if (json)
        {
            JsonOut.WriteLastLine(new Dictionary<string, object>
            {
                ["bench"] = "dds",
                ["payload_bytes"] = m.PayloadBytes,
                ["joints"] = joints,
                ["trigger"] = trigger.ToString().ToLowerInvariant(),
                ["round_trips"] = m.RoundTrips,
                ["mlsh_p50_us"] = Math.Round(m.P50Us, 2),
                ["mlsh_p99_us"] = Math.Round(m.P99Us, 2),
                ["ddsperf_round_trips"] = d.RoundTrips,
                ["ddsperf_p50_us"] = Math.Round(d.P50Us, 2),
                ["ddsperf_p99_us"] = Math.Round(d.P99Us, 2),
                ["ratio_p50_vs_ddsperf"] = Math.Round(ratio, 3),
                ["ratio_p99_vs_ddsperf"] = Math.Round(m.P99Us / d.P99Us, 3),
                ["c_jointstate_p50_us"] = Math.Round(r.P50Us, 2),
                ["c_jointstate_p99_us"] = Math.Round(r.P99Us, 2),
                ["ratio_p50_vs_c_jointstate"] = Math.Round(m.P50Us / r.P50Us, 3),
            });
        }
        return 0;
    }

    private static Process StartPong(uint domain, PingPongTrigger trigger)
    {
        var cli = typeof(DdsBench).Assembly.Location;
        var host = Environment.ProcessPath ?? "dotnet";
        var args = Path.GetFileNameWithoutExtension(host) == "dotnet" ? $"\"{cli}\" " : "";
        var psi = new ProcessStartInfo(host, $"{args}topic pong --domain {domain} --loopback --duration 300{(trigger == PingPongTrigger.Listener ? " --listener" : "")}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        return Process.Start(psi) ?? throw new InvalidOperationException("cannot start the pong peer");
    }
}

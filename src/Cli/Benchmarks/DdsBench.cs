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

    public string Name => "dds";
    public string Description => "JointState ping/pong between two processes vs Cyclone ddsperf at the same size (p50/p99 us).";
    public IEnumerable<Option> Options => [_roundTrips, _joints, _seconds];

    public int Run(ParseResult parse, bool json)
    {
        var roundTrips = parse.GetValue(_roundTrips);
        var joints = parse.GetValue(_joints);
        if (roundTrips < 100) throw new ArgumentOutOfRangeException(nameof(roundTrips), $"--round-trips: expected >= 100, got {roundTrips}");
        if (joints < 1) throw new ArgumentOutOfRangeException(nameof(joints), $"--joints: expected >= 1, got {joints}");
        var domain = (uint)Random.Shared.Next(201, 232);
        var config = CycloneConfig.LoopbackOnly();

        // The reference runs before and after Mlsh and the two runs are pooled, so load drift on a shared
        // machine does not favour either side.
        var seconds = Math.Max(2, parse.GetValue(_seconds));
        var payload = PingPong.JointStateSize(joints);
        var ddsperfBefore = PingPong.MeasureDdsperf(domain, payload, (seconds + 1) / 2, config);
        PingPongResult mlsh;
        using (var peer = StartPong(domain))
        {
            try
            {
                if (peer.StandardOutput.ReadLine() != "ready") throw new InvalidOperationException("the pong peer did not start: " + peer.StandardError.ReadToEnd());
                using var node = new RosNode("mlsh_ping", new RosNodeOptions { DomainId = domain, CycloneConfigXml = config });
                mlsh = PingPong.MeasureMlsh(node, "/mlsh_ping", "/mlsh_pong", joints, warmup: 2_000, roundTrips, TimeSpan.FromSeconds(20));
            }
            finally
            {
                peer.Kill();
                peer.WaitForExit();
            }
        }
        var ddsperfAfter = PingPong.MeasureDdsperf(domain, payload, (seconds + 1) / 2, config);
        var ddsperf = PingPong.Pool(ddsperfBefore, ddsperfAfter);
        var ratio = mlsh.P50Us / ddsperf.P50Us;
        // ddsperf's payload is one octet sequence; the C run sends the very same JointState (12 strings, 3 double
        // sequences) through Cyclone's C API, which separates the cost of the message from the cost of Mlsh.
        var c = PingPong.MeasureCycloneC(domain, joints, roundTrips, config);

        Console.WriteLine($"payload {mlsh.PayloadBytes} B (JointState, {joints} joints, XCDR1), loopback, domain {domain}, reliable keep-last-1, waitset");
        Console.WriteLine($"{"path",-28} {"round trips",12} {"p50 us",8} {"p99 us",8} {"mean us",8}");
        Console.WriteLine($"{"Mlsh.Ros2 (2 processes)",-28} {mlsh.RoundTrips,12} {mlsh.P50Us,8:F1} {mlsh.P99Us,8:F1} {mlsh.MeanUs,8:F1}");
        Console.WriteLine($"{"ddsperf ping/pong (ref)",-28} {ddsperf.RoundTrips,12} {ddsperf.P50Us,8:F1} {ddsperf.P99Us,8:F1} {ddsperf.MeanUs,8:F1}");
        Console.WriteLine($"{"C + Cyclone, same JointState",-28} {c.RoundTrips,12} {c.P50Us,8:F1} {c.P99Us,8:F1} {c.MeanUs,8:F1}");
        Console.WriteLine($"p50 ratio vs ddsperf: {ratio:F2} (target <= 1.3); vs C JointState ping/pong: {mlsh.P50Us / c.P50Us:F2}");
        if (json)
        {
            JsonOut.WriteLastLine(new Dictionary<string, object>
            {
                ["bench"] = "dds",
                ["payload_bytes"] = mlsh.PayloadBytes,
                ["joints"] = joints,
                ["round_trips"] = mlsh.RoundTrips,
                ["mlsh_p50_us"] = Math.Round(mlsh.P50Us, 2),
                ["mlsh_p99_us"] = Math.Round(mlsh.P99Us, 2),
                ["ddsperf_round_trips"] = ddsperf.RoundTrips,
                ["ddsperf_p50_us"] = Math.Round(ddsperf.P50Us, 2),
                ["ddsperf_p99_us"] = Math.Round(ddsperf.P99Us, 2),
                ["ratio_p50_vs_ddsperf"] = Math.Round(ratio, 3),
                ["ratio_p99_vs_ddsperf"] = Math.Round(mlsh.P99Us / ddsperf.P99Us, 3),
                ["c_jointstate_p50_us"] = Math.Round(c.P50Us, 2),
                ["c_jointstate_p99_us"] = Math.Round(c.P99Us, 2),
                ["ratio_p50_vs_c_jointstate"] = Math.Round(mlsh.P50Us / c.P50Us, 3),
            });
        }
        return 0;
    }

    private static Process StartPong(uint domain)
    {
        var cli = typeof(DdsBench).Assembly.Location;
        var host = Environment.ProcessPath ?? "dotnet";
        var args = Path.GetFileNameWithoutExtension(host) == "dotnet" ? $"\"{cli}\" " : "";
        var psi = new ProcessStartInfo(host, $"{args}topic pong --domain {domain} --loopback --duration 300")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        return Process.Start(psi) ?? throw new InvalidOperationException("cannot start the pong peer");
    }
}

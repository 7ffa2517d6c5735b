using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Mlsh.Ros2.Tests.TestSupport;
using Mlsh.Ros2.Tools;

namespace Mlsh.Ros2.Tests.Tools;

public sealed partial class PingPongTests
{
    // Two per-second lines of `ddsperf ping` (0.10.2); the first line of a run is warm-up and dropped.
    private const string DdsperfOutput =
        "[200] 1.000  vm:199 size 528 mean 30.000us min 12.000us 50% 25.000us 90% 40.000us 99% 90.000us max 900.000us cnt 10000\n" +
        "[200] 2.000  vm:199 size 528 mean 20.000us min 11.000us 50% 18.000us 90% 30.000us 99% 60.000us max 500.000us cnt 15000\n" +
        "[200] 3.000  vm:199 size 528 mean 24.000us min 11.000us 50% 21.000us 90% 33.000us 99% 80.000us max 700.000us cnt 5000\n";

    [Fact]
    public void DdsperfOutput_IsReadAsRoundTrips_TwiceItsOneWayLatencies_WeightedByCount_WithoutTheFirstSecond()
    {
        var result = PingPong.ParseDdsperfPing(DdsperfOutput, 532)!.Value;

        result.PayloadBytes.Should().Be(532);
        result.RoundTrips.Should().Be(20_000);
        result.P50Us.Should().BeApproximately(2 * (18.0 * 15_000 + 21.0 * 5_000) / 20_000, 1e-9);
        result.P99Us.Should().BeApproximately(2 * (60.0 * 15_000 + 80.0 * 5_000) / 20_000, 1e-9);
        result.MeanUs.Should().BeApproximately(2 * (20.0 * 15_000 + 24.0 * 5_000) / 20_000, 1e-9);
    }

    [Fact]
    public void DdsperfOutput_WithoutLatencyLines_HasNoResult()
    {
        PingPong.ParseDdsperfPing("[200] 1.000  ping timed out (total 1 times) ... sending new ping\n", 532).Should().BeNull();
    }

    /// <summary>
    /// ddsperf's ping sends the next ping as soon as the pong is in, so the round trips of one second add up to
    /// about a second: the proof, with the installed tool, that its printed latencies are half round trips.
    /// </summary>
    [Fact]
    public void Ddsperf_PrintedMeanTimesCount_IsHalfASecondPerSecond_SoItsLatenciesAreOneWay()
    {
        var domain = new TestDomain();
        var config = CycloneConfig.LoopbackOnly();
        using var pong = StartDdsperf($"-i {domain.Id} -D 6 pong waitset", config);
        try
        {
            using var ping = StartDdsperf($"-i {domain.Id} -D 4 ping size 528 waitset", config);
            var output = ping.StandardOutput.ReadToEnd();
            ping.WaitForExit();
            // Whole seconds only: drop the warm-up second and the last, cut short by -D.
            var seconds = LatencyLine().Matches(output).Select(m => (
                Mean: double.Parse(m.Groups["mean"].Value, CultureInfo.InvariantCulture),
                Count: long.Parse(m.Groups["cnt"].Value, CultureInfo.InvariantCulture))).Skip(1).SkipLast(1).ToList();

            seconds.Should().NotBeEmpty(output);
            foreach (var (mean, count) in seconds)
                (mean * count / 1e6).Should().BeInRange(0.3, 0.7, $"one second of back-to-back pings with printed mean {mean} us and count {count}");
        }
        finally
        {
            if (!pong.WaitForExit(10_000)) pong.Kill();
        }
    }

    [Fact]
    public void CReference_BuiltOnce_MeasuresEveryRoundTripOfTheSameJointState_InTwoRuns()
    {
        var domain = new TestDomain();
        using var reference = CyclonePingPongReference.Build(CycloneConfig.LoopbackOnly());

        var first = reference.Measure(domain.Id, joints: 12, roundTrips: 150);
        var second = reference.Measure(domain.Id, joints: 12, roundTrips: 100);

        first.RoundTrips.Should().Be(150);
        second.RoundTrips.Should().Be(100);
        first.PayloadBytes.Should().Be(PingPong.JointStateSize(12));
        foreach (var run in new[] { first, second })
        {
            run.P50Us.Should().BePositive();
            run.P99Us.Should().BeGreaterThanOrEqualTo(run.P50Us);
        }
    }

    private static Process StartDdsperf(string arguments, string config)
    {
        var psi = new ProcessStartInfo("ddsperf", arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.Environment["CYCLONEDDS_URI"] = config;
        try
        {
            return Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot start ddsperf ({e.Message}); run scripts/setup.sh (cyclonedds-tools)", e);
        }
    }

    [GeneratedRegex(@"mean (?<mean>[\d.]+)us .* cnt (?<cnt>\d+)")]
    private static partial Regex LatencyLine();
}

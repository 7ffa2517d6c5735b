using System.Text.Json;

namespace Mlsh.Cli.Tests.Benchmarks;

/// <summary>`./mlsh bench runtime --json` run for real (short), as a separate process like the user runs it.</summary>
public sealed class RuntimeBenchTests
{
    [Fact]
    public async Task BenchRuntime_ShortRun_EndsWithJsonHoldingTheTargetKeys_AsFiniteNumbers()
    {
        var (code, output, errors) = await Verbs.CliProcess.RunWithin(TimeSpan.FromMinutes(2), "bench", "runtime", "--json", "--seconds", "1", "--inline-seconds", "1");

        code.Should().Be(0, "stderr: " + errors);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.Should().NotBeEmpty();
        using var json = JsonDocument.Parse(lines[^1]);
        var root = json.RootElement;
        root.GetProperty("bench").GetString().Should().Be("runtime");
        foreach (var key in new[] { "lateness_p99_ratio_vs_c", "compute_p99_us", "alloc_bytes_per_cycle", "lateness_p99_us", "c_lateness_p99_us",
                     "inference_p50_us", "inference_p99_us", "action_latency_cycles", "inference_overruns", "compute_p99_us_inline" })
        {
            root.TryGetProperty(key, out var v).Should().BeTrue($"the last line has \"{key}\"");
            v.ValueKind.Should().Be(JsonValueKind.Number, key);
            double.IsFinite(v.GetDouble()).Should().BeTrue(key);
            v.GetDouble().Should().BeGreaterThanOrEqualTo(0, key);
        }
        // The loop really ran the controller against the DDS state publisher for about the requested second.
        root.GetProperty("cycles").GetInt64().Should().BeGreaterThan(100);
        root.GetProperty("c_cycles").GetInt64().Should().BeGreaterThan(100);
        root.GetProperty("sub_policy_steps").GetInt64().Should().BeGreaterThan(0, "the policy ran: the controller was fed over DDS");
        // By default the policy runs on its own thread, as in the node: each action is picked up at least a cycle later.
        root.GetProperty("policy_inference").GetString().Should().Be("thread");
        root.GetProperty("action_latency_cycles").GetDouble().Should().BeGreaterThanOrEqualTo(1);
        root.GetProperty("cycles_inline").GetInt64().Should().BeGreaterThan(100, "the inline comparison ran too");
    }
}

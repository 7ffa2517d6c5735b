using System.Buffers;
using System.Text.Json;
using Mlsh.Runtime.Control;
using Mlsh.Runtime.Timing;

namespace Mlsh.Runtime.Telemetry;

/// <summary>
/// The telemetry and status documents, as compact UTF-8 JSON. Serialization runs on the telemetry thread from
/// snapshots (the control thread only publishes into seqlocks), reusing one buffer and one snapshot per writer.
/// Not thread-safe: one telemetry thread per instance.
/// </summary>
public sealed class TelemetryJson
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _writer;
    private readonly LatencyHistogramSnapshot _compute = new(), _lateness = new();

    public TelemetryJson() => _writer = new Utf8JsonWriter(_buffer);

    /// <summary>{"mode","active_skill","master_choice","skill_forced","faults","cycle","cycle_time_p50_us","cycle_time_p99_us",
    /// "lateness_p99_us","deadline_misses","watchdog":{"joint_state_age_cycles","stale"},"safe_mode_entries","master_swaps",
    /// "override_cycles_left", "inference_overruns", and while a candidate runs in shadow "shadow":{"choice","ticks","agreement_rate"}}.</summary>
    public ReadOnlyMemory<byte> Telemetry(in ControllerStatus s, LoopTiming? timing)
    {
        Begin();
        var w = _writer;
        w.WriteStartObject();
        w.WriteString("mode", s.Mode == ControllerMode.Policy ? "policy" : "safe");
        w.WriteNumber("active_skill", s.ActiveSkill);
        w.WriteNumber("master_choice", s.MasterChoice);
        w.WriteBoolean("skill_forced", s.SkillForced);
        w.WriteString("faults", s.Faults.ToString());
        w.WriteNumber("cycle", s.Cycle);
        if (timing is not null)
        {
            timing.ComputeTime.CopyTo(_compute);
            timing.WakeLateness.CopyTo(_lateness);
            w.WriteNumber("cycle_time_p50_us", _compute.P50 / 1000.0);
            w.WriteNumber("cycle_time_p99_us", _compute.P99 / 1000.0);
            w.WriteNumber("lateness_p99_us", _lateness.P99 / 1000.0);
            w.WriteNumber("deadline_misses", timing.DeadlineMisses);
        }
        w.WriteStartObject("watchdog");
        w.WriteNumber("joint_state_age_cycles", s.JointStateAgeCycles == int.MaxValue ? -1 : s.JointStateAgeCycles);
        w.WriteBoolean("stale", (s.Faults & (SafetyFaults.JointStateStale | SafetyFaults.ImuStale | SafetyFaults.OdomStale)) != 0);
        w.WriteEndObject();
        w.WriteNumber("safe_mode_entries", s.SafeModeEntries);
        w.WriteNumber("master_swaps", s.MasterSwaps);
        w.WriteNumber("override_cycles_left", s.OverrideCyclesLeft);
        w.WriteNumber("inference_overruns", s.InferenceOverruns);
        if (s.ShadowTicks > 0)
        {
            // A candidate master in shadow (certified handover): what it would choose, and how often it agrees.
            w.WriteStartObject("shadow");
            w.WriteNumber("choice", s.ShadowChoice);
            w.WriteNumber("ticks", s.ShadowTicks);
            w.WriteNumber("agreement_rate", (double)s.ShadowAgreements / s.ShadowTicks);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        return End();
    }

    /// <summary>{"state":"online"|"offline", "node": ...} (retained; the last will carries "offline").</summary>
    public static byte[] Status(string state, string node) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["state"] = state, ["node"] = node });

    /// <summary>{"level":"info"|"error","source":...,"message":...} for the events topic.</summary>
    public static byte[] Event(bool ok, string source, string message) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["level"] = ok ? "info" : "error", ["source"] = source, ["message"] = message });

    private void Begin()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
    }

    private ReadOnlyMemory<byte> End()
    {
        _writer.Flush();
        return _buffer.WrittenMemory;
    }
}

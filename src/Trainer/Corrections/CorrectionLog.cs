using System.Globalization;
using System.Text;
using System.Text.Json;
using Mlsh.Core.Configuration;

namespace Mlsh.Trainer.Corrections;

/// <summary>Operator corrections as a supervised data set: row i is (observation i → label i).</summary>
/// <param name="Observations">[Count × ObservationSize], row-major, the master's raw input at the corrected tick.</param>
/// <param name="Labels">The operator's choice per row (the label).</param>
/// <param name="MasterChoices">What the deployed master chose at that tick (-1 when not recorded).</param>
/// <param name="SkippedTornLines">An unterminated, unparseable last line (the writer died mid-line) is skipped and counted.</param>
public sealed record CorrectionSet(float[] Observations, int[] Labels, int[] MasterChoices, int ObservationSize, int SkippedTornLines)
{
    public int Count => Labels.Length;
    public ReadOnlySpan<float> Observation(int i) => Observations.AsSpan(i * ObservationSize, ObservationSize);
}

/// <summary>
/// Reads the Runtime's skill-override log (JSONL, one object per corrected master tick:
/// <c>{"utc","cycle","master_choice","operator_choice","operator","observation":[…]}</c>; see docs/handover.md).
/// Older logs that call the label "label" are read too. Stateless.
/// </summary>
public static class CorrectionLog
{
    /// <exception cref="ConfigException">Missing file, a malformed line (named by number), a wrong observation width or an
    /// out-of-range label, or no corrections at all.</exception>
    public static CorrectionSet Load(string path, int observationSize, int choices)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(observationSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(choices, 2);
        if (!File.Exists(path)) throw new ConfigException("corrections log not found; point --corrections at the runtime's skill_override_log", path);
        var text = File.ReadAllText(path, Encoding.UTF8);
        var lines = text.Split('\n');
        var observations = new List<float>();
        var labels = new List<int>();
        var masters = new List<int>();
        var torn = 0;
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n].Trim();
            if (line.Length == 0) continue;
            var last = n == lines.Length - 1; // no newline after it: the writer may have died mid-line
            try
            {
                Parse(line, observationSize, choices, observations, labels, masters);
            }
            catch (JsonException) when (last)
            {
                torn++;
            }
            catch (JsonException e)
            {
                throw new ConfigException($"line {n + 1}: not a JSON correction ({e.Message.Split('.')[0]})", path, e);
            }
            catch (FormatException e)
            {
                throw new ConfigException($"line {n + 1}: {e.Message}", path, e);
            }
        }
        if (labels.Count == 0)
            throw new ConfigException("no corrections in the log (an operator override writes one line per master tick it lasts)", path);
        return new CorrectionSet([.. observations], [.. labels], [.. masters], observationSize, torn);
    }

    private static void Parse(string line, int observationSize, int choices, List<float> observations, List<int> labels, List<int> masters)
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("expected a JSON object");
        if (!root.TryGetProperty("operator_choice", out var label) && !root.TryGetProperty("label", out label))
            throw new FormatException("missing 'operator_choice' (the operator's sub-policy index)");
        if (label.ValueKind != JsonValueKind.Number || !label.TryGetInt32(out var k) || k < 0 || k >= choices)
            throw new FormatException($"'operator_choice' must be a sub-policy index in [0, {choices}), got {label.GetRawText()}");
        var master = -1;
        if (root.TryGetProperty("master_choice", out var m) && (m.ValueKind != JsonValueKind.Number || !m.TryGetInt32(out master) || master < -1 || master >= choices))
            throw new FormatException($"'master_choice' must be -1 or a sub-policy index in [0, {choices}), got {m.GetRawText()}");
        if (!root.TryGetProperty("observation", out var obs) || obs.ValueKind != JsonValueKind.Array)
            throw new FormatException("missing 'observation' (the master's input at the corrected tick)");
        if (obs.GetArrayLength() != observationSize)
            throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                $"'observation' has {obs.GetArrayLength()} values, the master takes {observationSize} (log from another robot or layout?)"));
        foreach (var v in obs.EnumerateArray())
        {
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetSingle(out var x) || !float.IsFinite(x))
                throw new FormatException($"'observation' must hold finite numbers, got {v.GetRawText()}");
            observations.Add(x);
        }
        labels.Add(k);
        masters.Add(master);
    }
}

using System.Text.Json;

namespace Mlsh.Runtime.Operator;

/// <summary>What an operator can ask of the runtime (ROS /mlsh/command std_msgs/String or MQTT &lt;prefix&gt;/cmd).</summary>
public enum OperatorCommandKind { EmergencyStop, Resume, LoadMaster, ForceSkill, ReleaseSkill, ShadowMaster, CertifyMaster }

/// <summary>
/// One parsed operator command. Wire format (UTF-8 JSON object, the same on ROS and MQTT):
/// <c>{"command":"estop"}</c>, <c>{"command":"resume"}</c>, <c>{"command":"load_master","path":"models/x/master.onnx","sha256":"&lt;64 hex&gt;"}</c>,
/// <c>{"command":"force_skill","skill":2}</c> (until released) or <c>{"command":"force_skill","skill":2,"duration_s":5,"operator":"ana"}</c>
/// (a timed override: the skill replaces the master's choice for duration_s seconds; the log of labelled corrections
/// records the operator), <c>{"command":"release_skill"}</c>.
/// Certified handover (docs/handover.md): <c>{"command":"shadow_master","path":"…/master.onnx","sha256":"…"}</c> runs a candidate
/// in shadow; <c>{"command":"certify_master","sha256":"…","episodes":60,"successes":58,"layout":"layouts/x.yaml"}</c> (optionally
/// <c>"incumbent_episodes"</c>/<c>"incumbent_successes"</c>) hands the simulated evaluation to the runtime's gate.
/// </summary>
public sealed record OperatorCommand(OperatorCommandKind Kind, string? Path = null, string? Sha256 = null, int Skill = -1,
    double DurationSeconds = 0, string? Operator = null, int Episodes = 0, int Successes = 0, string? Layout = null,
    int IncumbentEpisodes = 0, int IncumbentSuccesses = 0)
{
    /// <summary>The longest timed override accepted: an override is a correction, not a new controller.</summary>
    public const double MaxOverrideSeconds = 600;

    private static readonly string[] ForceSkillKeys = ["command", "skill", "duration_s", "operator"];

    /// <summary>Parses one command; parsing runs on I/O threads, never on the control thread.</summary>
    /// <exception cref="FormatException">One line naming what is wrong and what is accepted.</exception>
    public static OperatorCommand Parse(ReadOnlySpan<byte> utf8)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8.ToArray());
        }
        catch (JsonException e)
        {
            throw new FormatException($"operator command is not JSON ({e.Message.Split('.')[0]}); expected e.g. {{\"command\":\"estop\"}}", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("command", out var c) || c.ValueKind != JsonValueKind.String)
                throw new FormatException("operator command must be a JSON object with a string 'command' (estop, resume, load_master, force_skill, release_skill, shadow_master, certify_master)");
            var name = c.GetString();
            switch (name)
            {
                case "estop": return new(OperatorCommandKind.EmergencyStop);
                case "resume": return new(OperatorCommandKind.Resume);
                case "release_skill": return new(OperatorCommandKind.ReleaseSkill);
                case "force_skill":
                    // DESIGN: an override moves the robot, so a misspelt key ("duraton_s") must not silently mean
                    // "until released"; unknown keys are rejected here (other commands stay lenient).
                    foreach (var property in root.EnumerateObject())
                        if (Array.IndexOf(ForceSkillKeys, property.Name) < 0)
                            throw new FormatException($"force_skill: unknown key '{property.Name}'; accepted: {string.Join(", ", ForceSkillKeys)}");
                    if (!root.TryGetProperty("skill", out var s) || s.ValueKind != JsonValueKind.Number || !s.TryGetInt32(out var k) || k < 0)
                        throw new FormatException("force_skill needs 'skill': a sub-policy index >= 0");
                    var duration = 0.0;
                    if (root.TryGetProperty("duration_s", out var d))
                    {
                        if (d.ValueKind != JsonValueKind.Number || !d.TryGetDouble(out duration) || !(duration > 0 && duration <= MaxOverrideSeconds))
                            throw new FormatException($"force_skill 'duration_s' must be a number of seconds in (0, {MaxOverrideSeconds}], got {d.GetRawText()}");
                    }
                    string? who = null;
                    if (root.TryGetProperty("operator", out var o))
                    {
                        who = o.ValueKind == JsonValueKind.String ? o.GetString() : null;
                        if (string.IsNullOrWhiteSpace(who) || who.Length > 64 || who.Any(char.IsControl))
                            throw new FormatException($"force_skill 'operator' must be a name of 1-64 printable characters, got {o.GetRawText()}");
                    }
                    return new(OperatorCommandKind.ForceSkill, Skill: k, DurationSeconds: duration, Operator: who);
                case "certify_master":
                    var csha = root.TryGetProperty("sha256", out var ch) && ch.ValueKind == JsonValueKind.String ? ch.GetString() : null;
                    if (csha is null || csha.Length != 64 || !csha.All(Uri.IsHexDigit))
                        throw new FormatException($"certify_master needs 'sha256': 64 hex digits of the shadowed master, got '{csha}'");
                    var (episodes, successes) = Counts(root, "episodes", "successes", required: true);
                    var (incEpisodes, incSuccesses) = Counts(root, "incumbent_episodes", "incumbent_successes", required: false);
                    var layout = root.TryGetProperty("layout", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString() : null;
                    return new(OperatorCommandKind.CertifyMaster, Sha256: csha.ToLowerInvariant(), Episodes: episodes, Successes: successes,
                        Layout: layout ?? "", IncumbentEpisodes: incEpisodes, IncumbentSuccesses: incSuccesses);
                case "shadow_master":
                case "load_master":
                    var kind = name == "shadow_master" ? OperatorCommandKind.ShadowMaster : OperatorCommandKind.LoadMaster;
                    var path = root.TryGetProperty("path", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
                    var sha = root.TryGetProperty("sha256", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString() : null;
                    if (string.IsNullOrEmpty(path)) throw new FormatException($"{name} needs 'path': the new master.onnx");
                    if (sha is null || sha.Length != 64 || !sha.All(Uri.IsHexDigit))
                        throw new FormatException($"{name} needs 'sha256': 64 hex digits of the file, got '{sha}'");
                    return new(kind, path, sha.ToLowerInvariant());
                default:
                    throw new FormatException($"unknown operator command '{name}'; accepted: estop, resume, load_master, force_skill, release_skill, shadow_master, certify_master");
            }
        }
    }

    /// <summary>An (episodes ≥ 1, 0 ≤ successes ≤ episodes) pair of integers; (0, 0) when optional and absent.</summary>
    private static (int Episodes, int Successes) Counts(JsonElement root, string episodesKey, string successesKey, bool required)
    {
        var hasE = root.TryGetProperty(episodesKey, out var e);
        var hasS = root.TryGetProperty(successesKey, out var s);
        if (!hasE && !hasS && !required) return (0, 0);
        if (!hasE || e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var n) || n < 1)
            throw new FormatException($"certify_master needs '{episodesKey}': the number of simulated episodes (≥ 1)");
        if (!hasS || s.ValueKind != JsonValueKind.Number || !s.TryGetInt32(out var k) || k < 0 || k > n)
            throw new FormatException($"certify_master needs '{successesKey}': successful episodes in [0, {n}]");
        return (n, k);
    }
}

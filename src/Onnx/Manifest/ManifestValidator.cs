using System.Globalization;
using Mlsh.Core.Configuration;

namespace Mlsh.Onnx.Manifest;

/// <summary>
/// Cross-checks a <see cref="PolicyManifest"/>'s values: sizes agree with the joint list and the
/// observation layout, the master has one logit per sub-policy, rates are positive, hashes are
/// SHA-256 hex, file names stay inside the bundle directory. Each failure is one
/// <see cref="ConfigException"/> naming the key with expected vs actual.
/// </summary>
public static class ManifestValidator
{
    public static void Validate(PolicyManifest m, string file)
    {
        void Fail(string key, string problem) => throw new ConfigException($"{key}: {problem}", file);

        if (m.FormatVersion != PolicyManifest.CurrentFormatVersion)
            Fail("format_version", $"expected {PolicyManifest.CurrentFormatVersion}, got {m.FormatVersion} (re-export the models with this mlsh)");
        if (string.IsNullOrWhiteSpace(m.Name)) Fail("name", "expected a non-empty bundle name");
        if (string.IsNullOrWhiteSpace(m.Robot.Name)) Fail("robot.name", "expected a non-empty robot name");

        var joints = m.Robot.JointNames;
        if (joints.Count == 0) Fail("robot.joint_names", "expected at least one joint");
        var dup = joints.GroupBy(j => j, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) Fail("robot.joint_names", $"joint '{dup.Key}' is listed {dup.Count()} times");
        foreach (var j in joints)
            if (string.IsNullOrWhiteSpace(j) || j.Contains(',')) Fail("robot.joint_names", $"joint name '{j}' must be non-empty and contain no comma");

        var obs = m.Observation;
        if (obs.Size <= 0) Fail("observation.size", $"expected > 0, got {obs.Size}");
        if (obs.Fields.Count == 0) Fail("observation.fields", "expected at least one field");
        for (var i = 0; i < obs.Fields.Count; i++)
        {
            var f = obs.Fields[i];
            if (string.IsNullOrWhiteSpace(f.Name)) Fail($"observation.fields[{i}].name", "expected a non-empty name");
            if (f.Size <= 0) Fail($"observation.fields[{i}].size", $"expected > 0, got {f.Size}");
            if (!float.IsFinite(f.Scale) || f.Scale == 0f) Fail($"observation.fields[{i}].scale", $"expected a finite non-zero factor, got {f.Scale}");
        }
        var sum = obs.Fields.Sum(f => f.Size);
        if (sum != obs.Size)
            Fail("observation.fields", $"field sizes add up to {sum} ({string.Join(" + ", obs.Fields.Select(f => $"{f.Name} {f.Size}"))}), expected observation.size = {obs.Size}");

        var a = m.Action;
        if (!ActionContract.Kinds.Contains(a.Kind)) Fail("action.kind", $"expected one of '{string.Join("', '", ActionContract.Kinds)}', got '{a.Kind}'");
        if (a.Size != joints.Count) Fail("action.size", $"expected {joints.Count} (one per joint in robot.joint_names), got {a.Size}");
        PerJoint(a.Scale, "action.scale", joints.Count, Fail, positive: false);
        PerJoint(a.DefaultPose, "action.default_pose", joints.Count, Fail, positive: false);
        // Position targets are tracked by kp; velocity targets by kd (kp, usually 0, only pulls towards default_pose).
        PerJoint(a.Kp, "action.kp", joints.Count, Fail, positive: !a.IsVelocity);
        for (var i = 0; i < a.Kp.Count; i++) if (a.Kp[i] < 0) Fail($"action.kp[{i}]", $"expected >= 0, got {a.Kp[i]}");
        if (a.IsVelocity) PerJoint(a.Kd, "action.kd", joints.Count, Fail, positive: true);
        PerJoint(a.Kd, "action.kd", joints.Count, Fail, positive: false);
        PerJoint(a.TorqueLimit, "action.torque_limit", joints.Count, Fail, positive: true);
        for (var i = 0; i < a.Kd.Count; i++) if (a.Kd[i] < 0) Fail($"action.kd[{i}]", $"expected >= 0, got {a.Kd[i]}");

        var t = m.Timing;
        if (!(t.ControlRateHz > 0) || !double.IsFinite(t.ControlRateHz)) Fail("timing.control_rate_hz", $"expected a finite rate > 0, got {t.ControlRateHz}");
        if (t.PolicyDecimation <= 0) Fail("timing.policy_decimation", $"expected >= 1 control cycle, got {t.PolicyDecimation}");
        if (t.MasterPeriod <= 0 || t.MasterPeriod % Math.Max(1, t.PolicyDecimation) != 0)
            Fail("timing.master_period", $"expected a positive multiple of timing.policy_decimation ({t.PolicyDecimation}) control cycles, got {t.MasterPeriod}");

        var subs = m.Models.SubPolicies;
        if (subs.Count == 0) Fail("models.sub_policies", "expected at least one sub-policy");
        Entry(m.Models.Master, "models.master", obs.Size, subs.Count, "sub-policy count", Fail);
        for (var k = 0; k < subs.Count; k++) Entry(subs[k], $"models.sub_policies[{k}]", obs.Size, a.Size, "action.size", Fail);
        var files = subs.Select(s => s.File).Append(m.Models.Master.File).ToList();
        var dupFile = files.GroupBy(f => f, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (dupFile is not null) Fail("models", $"file '{dupFile.Key}' is used by {dupFile.Count()} models");

        var p = m.Provenance;
        if (string.IsNullOrWhiteSpace(p.Config)) Fail("provenance.config", "expected the training config path");
        if (p.ConfigSha256.Length != 0 && !IsSha256(p.ConfigSha256)) Fail("provenance.config_sha256", $"expected 64 lower-case hex digits or '', got '{p.ConfigSha256}'");
        if (p.Iterations < 0) Fail("provenance.iterations", $"expected >= 0, got {p.Iterations}");
        if (!(p.EvaluationSuccess >= 0 && p.EvaluationSuccess <= 1)) Fail("provenance.evaluation_success", $"expected a fraction in [0, 1], got {p.EvaluationSuccess}");
        if (p.EvaluationEpisodes < 0) Fail("provenance.evaluation_episodes", $"expected >= 0, got {p.EvaluationEpisodes}");
        if (!DateTime.TryParse(p.ExportedUtc, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _))
            Fail("provenance.exported_utc", $"expected an ISO 8601 time, got '{p.ExportedUtc}'");
    }

    internal static bool IsSha256(string s) => s.Length == 64 && s.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    private static void PerJoint(List<float> v, string key, int joints, Action<string, string> fail, bool positive)
    {
        if (v.Count != joints) fail(key, $"expected {joints} values (one per joint in robot.joint_names), got {v.Count}");
        for (var i = 0; i < v.Count; i++)
        {
            if (!float.IsFinite(v[i])) fail($"{key}[{i}]", $"expected a finite value, got {v[i]}");
            if (positive && !(v[i] > 0)) fail($"{key}[{i}]", $"expected > 0, got {v[i]}");
        }
    }

    private static void Entry(ModelEntry e, string key, int obsSize, int outSize, string outWhat, Action<string, string> fail)
    {
        if (string.IsNullOrWhiteSpace(e.File) || e.File != Path.GetFileName(e.File) || e.File is "." or ".." || !e.File.EndsWith(".onnx", StringComparison.Ordinal))
            fail($"{key}.file", $"expected a bare '<name>.onnx' file name inside the bundle directory, got '{e.File}'");
        if (string.IsNullOrWhiteSpace(e.Input)) fail($"{key}.input", "expected the graph input name");
        if (string.IsNullOrWhiteSpace(e.Output)) fail($"{key}.output", "expected the graph output name");
        if (e.InputSize != obsSize) fail($"{key}.input_size", $"expected {obsSize} (observation.size), got {e.InputSize}");
        if (e.OutputSize != outSize) fail($"{key}.output_size", $"expected {outSize} ({outWhat}), got {e.OutputSize}");
        if (!IsSha256(e.Sha256)) fail($"{key}.sha256", $"expected 64 lower-case hex digits, got '{e.Sha256}'");
    }
}

using System.Globalization;
using System.Text.Json;

namespace Mlsh.Onnx.Manifest;

/// <summary>
/// The policy contract as ONNX <c>metadata_props</c>, so a model file alone still says what it
/// expects. One function derives the key/value set from a manifest: the exporter writes it, the
/// loader recomputes it from manifest.yaml and requires an exact match (no missing, no extra keys,
/// equal values). Structured values are compact JSON with snake_case names.
/// </summary>
public static class PolicyMetadata
{
    public const string FormatVersion = "mlsh.format_version";
    public const string Bundle = "mlsh.bundle";
    /// <summary>"master" or "sub_policy_&lt;k&gt;": which model of the bundle this file is.</summary>
    public const string Policy = "mlsh.policy";
    public const string Robot = "mlsh.robot";
    /// <summary>Comma-separated, in action order.</summary>
    public const string JointNames = "mlsh.joint_names";
    public const string ObservationLayout = "mlsh.observation";
    public const string Action = "mlsh.action";
    public const string Timing = "mlsh.timing";
    public const string Provenance = "mlsh.provenance";

    /// <summary>Every key an Mlsh model carries, sorted.</summary>
    public static IReadOnlyList<string> Keys { get; } =
        new[] { FormatVersion, Bundle, Policy, Robot, JointNames, ObservationLayout, Action, Timing, Provenance }
            .OrderBy(k => k, StringComparer.Ordinal).ToArray();

    public const string MasterPolicy = "master";
    public static string SubPolicyName(int k) => string.Create(CultureInfo.InvariantCulture, $"sub_policy_{k}");

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
    };

    /// <summary>The metadata of model <paramref name="policy"/> of the bundle described by <paramref name="m"/>
    /// (its <c>models</c> section is not part of it: hashes cannot describe the file they are in).</summary>
    public static IReadOnlyDictionary<string, string> For(PolicyManifest m, string policy) =>
        new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [FormatVersion] = m.FormatVersion.ToString(CultureInfo.InvariantCulture),
            [Bundle] = m.Name,
            [Policy] = policy,
            [Robot] = m.Robot.Name,
            [JointNames] = string.Join(',', m.Robot.JointNames),
            [ObservationLayout] = JsonSerializer.Serialize(m.Observation, Json),
            [Action] = JsonSerializer.Serialize(m.Action, Json),
            [Timing] = JsonSerializer.Serialize(m.Timing, Json),
            [Provenance] = JsonSerializer.Serialize(m.Provenance, Json),
        };
}

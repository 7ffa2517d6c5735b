using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mlsh.Core.IO;

namespace Mlsh.Runtime.Handover;

/// <summary>Simulated episodes of one master on the target layout (from the Trainer's evaluator or any simulator run).</summary>
/// <param name="Layout">The layout the episodes ran on (recorded, not interpreted).</param>
public sealed record SimulatedEvaluation(int Episodes, int Successes, string Layout)
{
    public double SuccessRate => Episodes == 0 ? 0 : (double)Successes / Episodes;
}

/// <summary>
/// The record of one handover decision, written as JSON next to the runtime's logs before the swap is requested, so every
/// master that ever drove the robot has its evidence on disk. Immutable.
/// </summary>
public sealed record HandoverEvidence
{
    [JsonPropertyName("utc")] public required string Utc { get; init; }
    [JsonPropertyName("candidate")] public required string Candidate { get; init; }
    [JsonPropertyName("candidate_sha256")] public required string CandidateSha256 { get; init; }
    [JsonPropertyName("incumbent")] public required string Incumbent { get; init; }
    [JsonPropertyName("incumbent_sha256")] public required string IncumbentSha256 { get; init; }
    [JsonPropertyName("layout")] public required string Layout { get; init; }
    [JsonPropertyName("episodes")] public required int Episodes { get; init; }
    [JsonPropertyName("successes")] public required int Successes { get; init; }
    [JsonPropertyName("success_rate")] public required double SuccessRate { get; init; }
    [JsonPropertyName("bound_method")] public required string BoundMethod { get; init; }
    [JsonPropertyName("confidence")] public required double Confidence { get; init; }
    [JsonPropertyName("lower_bound")] public required double LowerBound { get; init; }
    [JsonPropertyName("threshold")] public required double Threshold { get; init; }
    /// <summary>The incumbent's simulated success rate on the same layout, when it was evaluated too (else null).</summary>
    [JsonPropertyName("incumbent_success_rate")] public double? IncumbentSuccessRate { get; init; }
    [JsonPropertyName("incumbent_episodes")] public int? IncumbentEpisodes { get; init; }
    [JsonPropertyName("shadow_ticks")] public required long ShadowTicks { get; init; }
    [JsonPropertyName("shadow_agreements")] public required long ShadowAgreements { get; init; }
    /// <summary>Fraction of master ticks at which the shadow chose what the active master chose (null before any tick).</summary>
    [JsonPropertyName("shadow_agreement_rate")] public double? ShadowAgreementRate { get; init; }
    /// <summary>"promote" or "reject".</summary>
    [JsonPropertyName("decision")] public required string Decision { get; init; }
    [JsonPropertyName("reason")] public required string Reason { get; init; }

    [JsonIgnore] public bool Promoted => Decision == "promote";

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    /// <summary>Writes the record atomically (temporary file + rename: a reader sees the old file or the whole new one).</summary>
    public void Write(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Options) + "\n");
    }

    public static HandoverEvidence Read(string path) =>
        JsonSerializer.Deserialize<HandoverEvidence>(File.ReadAllText(path), Options)
        ?? throw new InvalidDataException($"{path}: empty handover evidence");

    internal static string Now() => DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
}

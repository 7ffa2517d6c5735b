using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mlsh.Core.IO;
using Mlsh.Hil.Scenarios;

namespace Mlsh.Hil.Reports;

/// <summary>
/// The outcome of one scenario: the observation, each criterion's verdict and the overall result. Serialised as
/// report.json (snake_case) and printed as a short human summary. Immutable.
/// </summary>
public sealed record HilReport(string Scenario, string ScenarioFile, string Layout, string Target, string Timing,
    RunObservation Run, IReadOnlyList<CriterionResult> Criteria)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>True only when every criterion passed and at least one was checked.</summary>
    public bool Passed => Criteria.Count > 0 && Criteria.All(c => c.Passed);

    public static HilReport Create(Scenario scenario, RunObservation run, double watchdogTimeoutS = CriteriaEvaluator.DefaultWatchdogTimeoutS) =>
        new(scenario.Name, scenario.SourceFile, scenario.Layout.Name, scenario.Target.ToString().ToLowerInvariant(),
            scenario.Timing.ToString().ToLowerInvariant(), run, CriteriaEvaluator.Evaluate(scenario, run, watchdogTimeoutS));

    public string ToJson() => JsonSerializer.Serialize(new { passed = Passed, report = this }, Json);

    /// <summary>Writes report.json atomically into <paramref name="directory"/> (created) and returns its path.</summary>
    public string Write(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "report.json");
        AtomicFile.WriteAllText(path, ToJson() + "\n");
        return path;
    }

    public string Summary()
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(ci, $"scenario {Scenario} ({Layout}, {Target}, {Timing}): {(Passed ? "PASS" : "FAIL")}\n");
        sb.Append(ci, $"  stopped: {Run.StopReason}; {Run.DurationS:F2} s; final ({Run.FinalX:F2}, {Run.FinalY:F2}) m, {Run.FinalPathDistanceM:F2} m to the goal\n");
        foreach (var f in Run.Faults) sb.Append(ci, $"  fault   {f.Description} (took effect at {f.OnsetS:F3} s)\n");
        foreach (var c in Criteria) sb.Append(ci, $"  {(c.Passed ? "pass" : "FAIL")}    {c.Name}: expected {c.Expected}; got {c.Actual}\n");
        return sb.ToString();
    }
}

using System.Globalization;
using Mlsh.Hil.Observation;
using Mlsh.Hil.Scenarios;

namespace Mlsh.Hil.Reports;

/// <summary>One checked criterion: what was expected, what happened, and whether it passed.</summary>
public sealed record CriterionResult(string Name, string Expected, string Actual, bool Passed);

/// <summary>
/// Turns a <see cref="RunObservation"/> into pass/fail per criterion of a <see cref="Scenario"/>. Pure and
/// stateless: the same observation always gives the same verdict (tests feed synthetic observations).
/// A value the runtime did not report fails its criterion with "not reported" — never passes by default.
/// </summary>
public static class CriteriaEvaluator
{
    /// <summary>Seconds added to the safe-mode deadline of stale-data faults (drop, delay, kill_sim): the runtime's
    /// watchdog (joint_states_timeout_s in launch/params/runtime.yaml) must first expire before the fault is visible.</summary>
    public const double DefaultWatchdogTimeoutS = 0.05;

    public static IReadOnlyList<CriterionResult> Evaluate(Scenario scenario, RunObservation run, double watchdogTimeoutS = DefaultWatchdogTimeoutS)
    {
        var ci = CultureInfo.InvariantCulture;
        var c = scenario.Criteria;
        var results = new List<CriterionResult>();

        if (c.ReachedGoal is { } goal)
            results.Add(new("reached_goal", goal ? "yes" : "no",
                run.ReachedGoal ? string.Create(ci, $"yes, at {run.GoalTimeS:F2} s") : string.Create(ci, $"no, {run.FinalPathDistanceM:F2} m of {run.StartPathDistanceM:F2} m left"),
                run.ReachedGoal == goal));

        if (c.SafeModeWithinPeriods is { } periods)
        {
            var sensorFaults = run.Faults.Where(f => f.Kind is "drop" or "nan" or "delay" or "kill_sim").ToArray();
            var worst = "";
            var passed = sensorFaults.Length > 0;
            foreach (var f in sensorFaults)
            {
                var watchdog = double.IsFinite(f.WatchdogS) ? f.WatchdogS : f.Kind == "nan" ? 0 : watchdogTimeoutS;
                var allowance = periods * scenario.ControlPeriodS + watchdog;
                // The runtime's first entry at or after the onset (its own record, on the same time line as the onset);
                // a runtime already in safe mode when the fault began (entered before it, not left since) needs no entry.
                var before = run.SafeModeEntriesS.Where(t => t < f.OnsetS - 1e-6).DefaultIfEmpty(double.NaN).Last();
                var alreadySafe = double.IsFinite(before) && !run.SafeModeExitsS.Any(t => t > before && t <= f.OnsetS + 1e-6);
                var entry = alreadySafe ? f.OnsetS : run.SafeModeEntriesS.Where(t => t >= f.OnsetS - 1e-6).DefaultIfEmpty(double.NaN).First();
                var ok = double.IsFinite(entry) && entry - f.OnsetS <= allowance + 1e-6;
                worst += (worst.Length > 0 ? "; " : "") + (alreadySafe
                    ? string.Create(ci, $"{f.Kind} at {f.OnsetS:F3} s -> already in safe mode since {before:F3} s")
                    : double.IsFinite(entry)
                    ? string.Create(ci, $"{f.Kind} at {f.OnsetS:F3} s -> safe at {entry:F3} s (+{(entry - f.OnsetS) / scenario.ControlPeriodS:F1} periods, allowed {allowance:F3} s)")
                    : string.Create(ci, $"{f.Kind} at {f.OnsetS:F3} s -> safe mode not reported"));
                passed &= ok;
            }
            results.Add(new("safe_mode_within_periods", string.Create(ci, $"safe mode within {periods} control periods ({periods * scenario.ControlPeriodS:F3} s) of each sensor fault, after the runtime's watchdog timeout for stale data"),
                sensorFaults.Length == 0 ? "no sensor fault took effect" : worst, passed));
        }

        if (c.Recovered is { } recovered)
        {
            var lastFaultEnd = run.Faults.Count == 0 ? double.NaN : run.Faults.Max(f => f.EndS);
            var lastEntry = run.SafeModeEntriesS.Count > 0 ? run.SafeModeEntriesS[^1] : double.NaN;
            var exitAfter = run.SafeModeExitsS.Any(t => double.IsNaN(lastEntry) || t >= lastEntry);
            var mode = run.RuntimeStatus?.GetValueOrDefault(RuntimeStatusKeys.Mode);
            var odomAfter = run.LastOdometryS > lastFaultEnd;
            var ok = run.Faults.Count > 0 && IsPolicy(mode) && (double.IsNaN(lastEntry) || exitAfter) && odomAfter;
            var actual = string.Create(ci, $"final mode {mode ?? "not reported"}; {run.SafeModeEntriesS.Count} safe-mode entr{(run.SafeModeEntriesS.Count == 1 ? "y" : "ies")}, {run.SafeModeExitsS.Count} exit(s); odometry until {run.LastOdometryS:F2} s (faults over at {lastFaultEnd:F2} s)");
            results.Add(new("recovered", recovered ? "back on the policy after the faults" : "not recovered", actual, ok == recovered));
        }

        if (c.NoDeadlineMiss is { } noMiss)
        {
            // Under /clock a runtime cannot be late (the simulator waits for it); what it can do is let simulated
            // control deadlines pass without a cycle, reported as clock_skipped_cycles: both count as misses here.
            var misses = Number(run.RuntimeStatus, RuntimeStatusKeys.DeadlineMisses);
            var skipped = Number(run.RuntimeStatus, RuntimeStatusKeys.ClockSkippedCycles);
            var total = misses + (skipped ?? 0);
            results.Add(new("no_deadline_miss", noMiss ? "0 deadline misses (wall clock) and 0 control periods skipped on /clock" : "deadline misses",
                misses is { } m ? string.Create(ci, $"{m:0} deadline misses, {(skipped is { } k ? k.ToString("0", ci) : "not reported")} clock-skipped cycles") : "deadline_misses not reported by the runtime",
                total is { } n && (n == 0) == noMiss));
        }

        if (c.MasterRejected is { } rejected)
        {
            // Rejection is seen either as the runtime's master_rejects counter or as an error event about the
            // load_master command on MQTT; either way no swap may have happened and the policy must still run.
            var rejects = Number(run.RuntimeStatus, RuntimeStatusKeys.MasterRejects);
            var errorEvents = run.OperatorEvents.Count(e => e.Contains("\"error\"", StringComparison.Ordinal));
            var swaps = Number(run.RuntimeStatus, RuntimeStatusKeys.MasterSwaps);
            var mode = run.RuntimeStatus?.GetValueOrDefault(RuntimeStatusKeys.Mode);
            var ok = (rejects is >= 1 || errorEvents > 0) && swaps is 0 && IsPolicy(mode);
            results.Add(new("master_rejected", rejected ? "corrupt master rejected, the old master keeps running" : "corrupt master accepted",
                string.Create(ci, $"master_rejects {Text(rejects)}, {errorEvents} error event(s) on MQTT, master_swaps {Text(swaps)}, mode {mode ?? "not reported"}"), ok == rejected));
        }

        if (c.MasterSwapped is { } swapped)
        {
            var swaps = Number(run.RuntimeStatus, RuntimeStatusKeys.MasterSwaps);
            var rejects = Number(run.RuntimeStatus, RuntimeStatusKeys.MasterRejects);
            var mode = run.RuntimeStatus?.GetValueOrDefault(RuntimeStatusKeys.Mode);
            var ok = swaps is >= 1 && rejects is null or 0 && IsPolicy(mode);
            results.Add(new("master_swapped", swapped ? "the pushed master was swapped in and the policy kept running" : "the pushed master was not swapped in",
                string.Create(ci, $"master_swaps {Text(swaps)}, master_rejects {Text(rejects)}, mode {mode ?? "not reported"}"), ok == swapped));
        }

        if (c.NodesSurvive is { } survive)
        {
            var ok = run.UnexpectedProcessEnds.Count == 0;
            results.Add(new("nodes_survive", survive ? "no node died unexpectedly" : "a node died",
                ok ? "all nodes ran to the end" : string.Join("; ", run.UnexpectedProcessEnds), ok == survive));
        }
        return results;

        static string Text(double? v) => v is { } x ? x.ToString("0", CultureInfo.InvariantCulture) : "not reported";
    }

    private static bool IsPolicy(string? mode) => string.Equals(mode, "policy", StringComparison.OrdinalIgnoreCase);

    private static double? Number(IReadOnlyDictionary<string, string>? status, string key) =>
        status is not null && status.TryGetValue(key, out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
}

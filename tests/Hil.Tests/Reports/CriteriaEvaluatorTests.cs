using System.Text.Json;
using Mlsh.Hil.Reports;
using Mlsh.Hil.Scenarios;

namespace Mlsh.Hil.Tests.Reports;

public class CriteriaEvaluatorTests
{
    private static Scenario DropScenario() => ScenarioLoader.Load(Path.Combine(TestPaths.Root, "scenarios", "joint-state-dropout.yaml"), TestPaths.Root);

    private static RunObservation Run(double safeAt, string finalMode = "policy", double? exitAt = 1.3, string[]? deaths = null) => new()
    {
        DurationS = 3,
        ReachedGoal = false,
        FinalX = 1,
        FinalY = 0,
        FinalPathDistanceM = 5,
        StartPathDistanceM = 6,
        LastOdometryS = 3,
        Faults = [new InjectedFault("drop JointStates", 1.0, 1.2, "drop")],
        SafeModeEntriesS = double.IsNaN(safeAt) ? [] : [safeAt],
        SafeModeExitsS = exitAt is { } e ? [e] : [],
        RuntimeStatus = new Dictionary<string, string> { ["mode"] = finalMode, ["deadline_misses"] = "0" },
        UnexpectedProcessEnds = deaths ?? [],
        StopReason = "duration elapsed",
    };

    [Fact]
    public void SafeMode_Passes_WithinTwoPeriodsAfterTheWatchdogTimeout()
    {
        // onset 1.0 s + 0.05 s watchdog + 2 x 0.002 s (500 Hz) = 1.054 s.
        var results = CriteriaEvaluator.Evaluate(DropScenario(), Run(1.053));
        results.Should().OnlyContain(r => r.Passed);
        results.Select(r => r.Name).Should().Equal("safe_mode_within_periods", "recovered", "nodes_survive");
    }

    [Fact]
    public void Recovered_AcceptsTheRuntimesCapitalisedModeText()
    {
        CriteriaEvaluator.Evaluate(DropScenario(), Run(1.053, finalMode: "Policy")).Single(r => r.Name == "recovered").Passed.Should().BeTrue();
    }

    [Fact]
    public void SafeMode_Fails_WhenEnteredLaterThanTwoPeriods()
    {
        var r = CriteriaEvaluator.Evaluate(DropScenario(), Run(1.12)).Single(x => x.Name == "safe_mode_within_periods");
        r.Passed.Should().BeFalse();
        r.Actual.Should().Contain("+60.0 periods");
    }

    [Fact]
    public void SafeMode_Fails_WhenTheRuntimeNeverReportsIt()
    {
        var r = CriteriaEvaluator.Evaluate(DropScenario(), Run(double.NaN, exitAt: null)).Single(x => x.Name == "safe_mode_within_periods");
        r.Passed.Should().BeFalse();
        r.Actual.Should().Contain("not reported");
    }

    [Fact]
    public void Recovered_Fails_WhenTheRuntimeStaysInSafeMode()
    {
        var r = CriteriaEvaluator.Evaluate(DropScenario(), Run(1.06, finalMode: "safe", exitAt: null)).Single(x => x.Name == "recovered");
        r.Passed.Should().BeFalse();
        r.Actual.Should().Contain("final mode safe");
    }

    [Fact]
    public void NodesSurvive_Fails_NamingTheNodeThatDied()
    {
        var r = CriteriaEvaluator.Evaluate(DropScenario(), Run(1.06, deaths: ["node mlsh_runtime exited with code 3"])).Single(x => x.Name == "nodes_survive");
        r.Passed.Should().BeFalse();
        r.Actual.Should().Be("node mlsh_runtime exited with code 3");
    }

    [Fact]
    public void NoDeadlineMiss_And_MasterRejected_Fail_WhenNotReported()
    {
        var s = ScenarioLoader.Parse("""
            name: t
            layout: layouts/train/maze-01.yaml
            duration_s: 3
            faults:
              - kind: corrupt_master
                at_s: 1
            criteria:
              no_deadline_miss: true
              master_rejected: true
            """, "t.yaml", TestPaths.Root);
        var run = Run(double.NaN) with { RuntimeStatus = null };
        var results = CriteriaEvaluator.Evaluate(s, run);
        results.Should().HaveCount(2).And.OnlyContain(r => !r.Passed);
        results[0].Actual.Should().Contain("not reported");
    }

    [Fact]
    public void MasterRejected_Passes_WhenRejectedAndNoSwapHappened()
    {
        var s = ScenarioLoader.Load(Path.Combine(TestPaths.Root, "scenarios", "corrupt-master.yaml"), TestPaths.Root);
        var run = Run(double.NaN) with { RuntimeStatus = new Dictionary<string, string> { ["mode"] = "policy", ["master_rejects"] = "1", ["master_swaps"] = "0" } };
        CriteriaEvaluator.Evaluate(s, run).Should().OnlyContain(r => r.Passed);
        var swapped = run with { RuntimeStatus = new Dictionary<string, string> { ["mode"] = "policy", ["master_rejects"] = "0", ["master_swaps"] = "1" } };
        CriteriaEvaluator.Evaluate(s, swapped).Single(r => r.Name == "master_rejected").Passed.Should().BeFalse();
    }

    [Fact]
    public void MasterRejected_Passes_OnAnErrorEventFromTheRuntime_WhenItHasNoRejectCounter()
    {
        var s = ScenarioLoader.Load(Path.Combine(TestPaths.Root, "scenarios", "corrupt-master.yaml"), TestPaths.Root);
        var run = Run(double.NaN) with
        {
            RuntimeStatus = new Dictionary<string, string> { ["mode"] = "policy", ["master_swaps"] = "0" },
            OperatorEvents = ["{\"level\":\"error\",\"source\":\"mqtt\",\"message\":\"load_master: not an ONNX model\"}"],
        };
        CriteriaEvaluator.Evaluate(s, run).Single(r => r.Name == "master_rejected").Passed.Should().BeTrue();
        var noEvent = run with { OperatorEvents = [] };
        CriteriaEvaluator.Evaluate(s, noEvent).Single(r => r.Name == "master_rejected").Passed.Should().BeFalse();
    }

    [Fact]
    public void Report_PassesOnlyWhenEveryCriterionPasses_AndWritesSnakeCaseJson()
    {
        var s = DropScenario();
        HilReport.Create(s, Run(1.053)).Passed.Should().BeTrue();
        var failed = HilReport.Create(s, Run(1.5));
        failed.Passed.Should().BeFalse();
        failed.Summary().Should().Contain("FAIL").And.Contain("safe_mode_within_periods");
        var dir = Directory.CreateTempSubdirectory("mlsh-hil-report-").FullName;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(failed.Write(dir)));
            doc.RootElement.GetProperty("passed").GetBoolean().Should().BeFalse();
            var report = doc.RootElement.GetProperty("report");
            report.GetProperty("scenario").GetString().Should().Be("joint-state-dropout");
            report.GetProperty("criteria").EnumerateArray().Select(c => c.GetProperty("passed").GetBoolean()).Should().Contain(false);
            report.GetProperty("run").GetProperty("safe_mode_entries_s")[0].GetDouble().Should().Be(1.5);
        }
        finally { Directory.Delete(dir, true); }
    }
    [Fact]
    public void SafeMode_UsesTheFaultsOwnWatchdogTimeout_WhenTheHarnessKnowsIt()
    {
        // odom_timeout_cycles 100 at 500 Hz: stale odometry is noticed 0.2 s after the onset by design.
        var odomDrop = Run(1.203) with { Faults = [new InjectedFault("drop Odom", 1.0, 1.2, "drop", WatchdogS: 0.2)] };
        CriteriaEvaluator.Evaluate(DropScenario(), odomDrop).Single(r => r.Name == "safe_mode_within_periods").Passed.Should().BeTrue();
        var late = odomDrop with { SafeModeEntriesS = [1.205] };
        var r = CriteriaEvaluator.Evaluate(DropScenario(), late).Single(x => x.Name == "safe_mode_within_periods");
        r.Passed.Should().BeFalse("1.205 s is 2.5 periods after the 0.2 s watchdog");
        r.Actual.Should().Contain("+102.5 periods");
    }

    [Fact]
    public void SafeMode_Passes_WhenTheRuntimeWasAlreadyInSafeModeAtTheOnset_AndFails_WhenItHadLeftIt()
    {
        var already = Run(0.9) with { SafeModeExitsS = [0.098, 1.3] };
        var r = CriteriaEvaluator.Evaluate(DropScenario(), already).Single(x => x.Name == "safe_mode_within_periods");
        r.Passed.Should().BeTrue();
        r.Actual.Should().Contain("already in safe mode since 0.900 s");
        var left = Run(0.9) with { SafeModeExitsS = [0.098, 0.95] };
        CriteriaEvaluator.Evaluate(DropScenario(), left).Single(x => x.Name == "safe_mode_within_periods").Passed.Should().BeFalse();
    }

    [Fact]
    public void NoDeadlineMiss_Fails_WhenControlPeriodsWereSkippedOnTheSimulatedClock()
    {
        var s = ScenarioLoader.Load(Path.Combine(TestPaths.Root, "scenarios", "nominal.yaml"), TestPaths.Root);
        var clean = Run(double.NaN) with { RuntimeStatus = new Dictionary<string, string> { ["mode"] = "policy", ["deadline_misses"] = "0", ["clock_skipped_cycles"] = "0" } };
        CriteriaEvaluator.Evaluate(s, clean).Single(r => r.Name == "no_deadline_miss").Passed.Should().BeTrue();
        var skipped = clean with { RuntimeStatus = new Dictionary<string, string> { ["mode"] = "policy", ["deadline_misses"] = "0", ["clock_skipped_cycles"] = "2700" } };
        var r = CriteriaEvaluator.Evaluate(s, skipped).Single(x => x.Name == "no_deadline_miss");
        r.Passed.Should().BeFalse("a simulator stepping several control periods per command skips the runtime's cycles");
        r.Actual.Should().Contain("2700 clock-skipped cycles");
    }

    [Fact]
    public void MasterSwapped_Passes_OnlyWhenTheRuntimeSwappedWithoutARejectAndKeptThePolicy()
    {
        var s = ScenarioLoader.Load(Path.Combine(TestPaths.Root, "scenarios", "field-retune.yaml"), TestPaths.Root);
        RunObservation With(string swaps, string rejects, string mode) => Run(double.NaN) with
        {
            RuntimeStatus = new Dictionary<string, string> { ["mode"] = mode, ["deadline_misses"] = "0", ["master_swaps"] = swaps, ["master_rejects"] = rejects },
        };
        bool Passed(RunObservation run) => CriteriaEvaluator.Evaluate(s, run).Single(r => r.Name == "master_swapped").Passed;

        Passed(With("1", "0", "Policy")).Should().BeTrue();
        Passed(With("0", "0", "Policy")).Should().BeFalse("nothing was swapped in");
        Passed(With("1", "1", "Policy")).Should().BeFalse("a push was refused");
        Passed(With("1", "0", "SafeMode")).Should().BeFalse("the robot ended in safe mode");
    }
}

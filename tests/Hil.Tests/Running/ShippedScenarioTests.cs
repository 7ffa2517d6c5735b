using Mlsh.Hil.Observation;
using Mlsh.Hil.Running;
using Mlsh.Hil.Scenarios;

namespace Mlsh.Hil.Tests.Running;

/// <summary>
/// Every scenario in scenarios/ runs as `./mlsh hil` runs it (<see cref="ScenarioRunner"/>: the built `mlsh` CLI starts
/// the SimBridge and the Runtime as processes over ROS 2, the harness relays, injects the faults and evaluates) and
/// must pass its own criteria.
/// </summary>
public sealed class ShippedScenarioTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-hil-scenario-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(TestPaths.Root, "scenarios"), "*.yaml").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        return data;
    }

    private static string[] Cli()
    {
        var dll = Path.Combine(TestPaths.Root, "artifacts", "bin", "Cli", "release", "mlsh.dll");
        File.Exists(dll).Should().BeTrue($"the scenarios run the real nodes through the CLI; build it first (dotnet build src/Cli -c Release): {dll} is missing");
        return ["dotnet", dll];
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void ShippedScenario_RunsInLockstepAgainstTheSimBridgeAndRuntime_AndPassesItsCriteria(string file)
    {
        var scenario = ScenarioLoader.Load(Path.Combine(TestPaths.Root, "scenarios", file), TestPaths.Root);
        scenario.Timing.Should().Be(ScenarioTiming.Lockstep, "the test suite runs the shipped scenarios deterministically");
        var log = new StringWriter();
        var report = new ScenarioRunner(scenario, new HarnessOptions
        {
            RepositoryRoot = TestPaths.Root,
            CliCommand = Cli(),
            DomainId = TestDomains.Next(),
            OutputDirectory = _dir,
            Log = TextWriter.Synchronized(log),
            StartupTimeout = TimeSpan.FromSeconds(90),
        }).Run();

        var run = report.Run;
        var why = report.Summary()
            + $"safe-mode entries {string.Join(", ", run.SafeModeEntriesS)}; exits {string.Join(", ", run.SafeModeExitsS)}\n"
            + $"runtime status {string.Join(", ", (run.RuntimeStatus ?? new Dictionary<string, string>()).Select(kv => $"{kv.Key}={kv.Value}"))}\n"
            + "--- harness and node output (tail) ---\n" + Tail(log.ToString(), 60);
        report.Criteria.Should().NotBeEmpty();
        report.Run.StopReason.Should().Be("duration elapsed", why);
        report.Run.DurationS.Should().BeGreaterThanOrEqualTo(scenario.DurationS, why);
        report.Criteria.Where(c => !c.Passed).Should().BeEmpty(why);
        report.Passed.Should().BeTrue(why);
        File.Exists(Path.Combine(_dir, "report.json")).Should().BeTrue();

        // The runtime followed /clock one cycle per control period over the whole run (a restart adds a clock epoch).
        var status = report.Run.RuntimeStatus!;
        status[RuntimeStatusKeys.ClockSkippedCycles].Should().Be("0", why);
        status[RuntimeStatusKeys.DeadlineMisses].Should().Be("0", why);
    }

    private static string Tail(string text, int lines)
    {
        var all = text.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }
}

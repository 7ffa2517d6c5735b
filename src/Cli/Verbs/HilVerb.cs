using System.CommandLine;
using Mlsh.Core;
using Mlsh.Hil.Running;
using Mlsh.Hil.Scenarios;

namespace Mlsh.Cli.Verbs;

/// <summary>`./mlsh hil scenarios/&lt;name&gt;.yaml ...`: hardware-in-the-loop scenarios (logic in Mlsh.Hil.Running.ScenarioRunner).</summary>
public sealed class HilVerb : IVerb
{
    public Command Build()
    {
        var files = new Argument<string[]>("scenario") { Description = "Scenario YAML file(s), see scenarios/README.md.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "Report folder; each scenario writes <out>/<name>/report.json and trajectory.svg (default: out/hil)." };
        var domain = new Option<uint?>("--domain") { Description = "ROS domain id (default: ROS_DOMAIN_ID, or 0)." };
        var check = new Option<bool>("--check") { Description = "Validate the scenario files and exit without running them." };
        var json = new Option<bool>("--json") { Description = "End with one JSON line: every scenario's verdict." };
        var cmd = new Command("hil",
            "Run hardware-in-the-loop scenarios: start the SimBridge (or use a robot already on the topics) and the Runtime behind a " +
            "fault-injecting relay, inject the scenario's faults, check its pass criteria, write a report. Exit 0 only if every criterion passed.")
        {
            files, output, domain, check, json,
        };
        cmd.SetAction(parse =>
        {
            var root = MlshPaths.Root;
            var scenarios = parse.GetValue(files)!.Select(f => ScenarioLoader.Load(f, root)).ToArray();
            if (parse.GetValue(check))
            {
                foreach (var s in scenarios) Console.WriteLine($"{s.Name}: ok ({s.Faults.Count} fault(s), {s.Criteria.Count} criteria)");
                return 0;
            }
            var outDir = parse.GetValue(output) is { Length: > 0 } o ? Path.GetFullPath(o) : Path.Combine(root, "out", "hil");
            var domainId = parse.GetValue(domain) ?? (uint.TryParse(Environment.GetEnvironmentVariable("ROS_DOMAIN_ID"), out var d) ? d : 0);
            using var stop = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
            var verdicts = new List<object>();
            var allPassed = true;
            foreach (var s in scenarios)
            {
                var report = new ScenarioRunner(s, new HarnessOptions
                {
                    RepositoryRoot = root,
                    CliCommand = DemoVerb.CurrentCli(),
                    DomainId = domainId,
                    OutputDirectory = Path.Combine(outDir, s.Name),
                }).Run(stop.Token);
                Console.Write(report.Summary());
                allPassed &= report.Passed;
                verdicts.Add(new { scenario = s.Name, passed = report.Passed, report = Path.Combine(outDir, s.Name, "report.json") });
            }
            if (parse.GetValue(json)) JsonOut.WriteLastLine(new { passed = allPassed, scenarios = verdicts });
            return allPassed ? 0 : 1;
        });
        return cmd;
    }
}

using System.CommandLine;
using System.Globalization;
using Mlsh.Environments.Benchmarks;

namespace Mlsh.Cli.Benchmarks;

/// <summary>`./mlsh bench sim [--json]`: quadruped environment physics steps/s in C# vs a gcc-compiled C loop.</summary>
public sealed class SimBench : IBench
{
    private readonly Option<int> _policySteps = new("--policy-steps") { Description = "Policy steps per round (x10 physics steps).", DefaultValueFactory = _ => 2000 };
    private readonly Option<int> _rounds = new("--rounds") { Description = "Alternating C#/C rounds; the best of each counts.", DefaultValueFactory = _ => 5 };

    public string Name => "sim";
    public string Description => "Quadruped maze environment (PD law at 500 Hz) from C# vs a C mj_step loop doing the same work.";
    public IEnumerable<Option> Options => [_policySteps, _rounds];

    public int Run(ParseResult parse, bool json)
    {
        var r = SimBenchmark.Run(parse.GetValue(_policySteps), parse.GetValue(_rounds), Console.WriteLine);
        var ci = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(ci, $"C#: {r.CSharp.StepsPerSecond:F0} physics steps per CPU second ({r.CSharp.PhysicsSteps} steps, {r.CSharp.CpuSeconds:F3} s CPU, {r.CSharp.Seconds:F3} s wall)"));
        Console.WriteLine(string.Create(ci, $"C:  {r.C.StepsPerSecond:F0} physics steps per CPU second ({r.C.PhysicsSteps} steps, {r.C.CpuSeconds:F3} s CPU, {r.C.Seconds:F3} s wall)"));
        Console.WriteLine(string.Create(ci, $"ratio {r.Ratio:F3} (target >= 0.97; wall-clock ratio {r.WallRatio:F3}); same final state on both sides: {(r.TrajectoriesMatch ? "yes" : "no")}"));
        if (json)
        {
            JsonOut.WriteLastLine(new
            {
                csharp_steps_per_s = r.CSharp.StepsPerSecond,
                c_steps_per_s = r.C.StepsPerSecond,
                ratio = r.Ratio,
                clock = "thread_cpu",
                csharp_wall_steps_per_s = r.CSharp.WallStepsPerSecond,
                c_wall_steps_per_s = r.C.WallStepsPerSecond,
                wall_ratio = r.WallRatio,
                physics_steps = r.CSharp.PhysicsSteps,
                rounds = r.Rounds,
                trajectories_match = r.TrajectoriesMatch,
            });
        }
        return 0;
    }
}

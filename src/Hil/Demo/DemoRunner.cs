using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mlsh.Core.IO;
using Mlsh.Core.Launch;
using Mlsh.Environments.Demo;
using Mlsh.Environments.Mazes;
using Mlsh.Environments.Tasks;
using Mlsh.Hil.Observation;
using Mlsh.Hil.Relay;
using Mlsh.Hil.Trajectories;
using Mlsh.Ros2;

namespace Mlsh.Hil.Demo;

/// <summary>Which controller walks the robot in the demo.</summary>
public enum DemoController
{
    /// <summary>The shipped ONNX hierarchy in the Runtime node, against the SimBridge node (two processes, ROS 2 over DDS).</summary>
    Policy,
    /// <summary>No learned policy: the scripted, path-steered trot in-process (for machines without exported models).</summary>
    Scripted,
}

/// <summary>Options of one demo run. Immutable.</summary>
public sealed record DemoOptions
{
    public required string RepositoryRoot { get; init; }
    public required string LayoutPath { get; init; }
    public required string ModelsDir { get; init; }
    public required IReadOnlyList<string> CliCommand { get; init; }
    public DemoController Controller { get; init; } = DemoController.Policy;
    /// <summary>Lockstep (deterministic, as fast as the nodes go) or real time.</summary>
    public bool Lockstep { get; init; } = true;
    /// <summary>Simulated seconds before the demo gives up on the goal.</summary>
    public double TimeLimitS { get; init; } = 60;
    /// <summary>ROS domain (the demo uses the user's ROS_DOMAIN_ID so `ros2 topic echo` sees it).</summary>
    public uint DomainId { get; init; }
    public required string OutputDirectory { get; init; }
    public TextWriter Log { get; init; } = Console.Error;
    /// <summary>Longest wait for the first odometry after the nodes start (wall clock).</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public ulong Seed { get; init; }
}

/// <summary>What the demo did (report.json, snake_case).</summary>
public sealed record DemoResult
{
    public required string Controller { get; init; }
    public required string Layout { get; init; }
    public required string Timing { get; init; }
    public required bool ReachedGoal { get; init; }
    public double? GoalTimeS { get; init; }
    public required double SimTimeS { get; init; }
    public required double WallTimeS { get; init; }
    public required double[] Start { get; init; }
    public required double[] Goal { get; init; }
    public required double[] FinalPosition { get; init; }
    public required double StartPathDistanceM { get; init; }
    public required double FinalPathDistanceM { get; init; }
    public required int[] SkillSequence { get; init; }
    public required long MasterTicks { get; init; }
    /// <summary>The runtime's control-loop statistics as it reported them (<see cref="RuntimeStatusKeys"/>).</summary>
    public IReadOnlyDictionary<string, string>? ControlLoop { get; init; }
    public IReadOnlyDictionary<string, string>? Simulator { get; init; }
    public required string StopReason { get; init; }
    public required string[] NodeFailures { get; init; }
    public required string TrajectorySvg { get; init; }

    /// <summary>Exit code for the CLI: 0 when the run itself worked (goal or not — the policy is judged in the
    /// summary, not by the exit code), 1 when a node failed or nothing was observed.</summary>
    public int ExitCode => NodeFailures.Length == 0 && !StopReason.StartsWith("no odometry", StringComparison.Ordinal) ? 0 : 1;
}

/// <summary>
/// `./mlsh demo`: launches the SimBridge and the Runtime from launch/demo.launch.yaml (one launcher: output prefixed,
/// both stopped together, failures reported), watches the run from its own observer node (odometry, active skill,
/// diagnostics), stops at the goal or the time limit, then writes trajectory.svg and report.json. Every wait is
/// bounded. Blocking; one run per call.
/// </summary>
public static class DemoRunner
{
    public static DemoResult Run(DemoOptions o, CancellationToken cancel = default) =>
        o.Controller == DemoController.Scripted ? RunScripted(o) : RunPolicy(o, cancel);

    private static DemoResult RunPolicy(DemoOptions o, CancellationToken cancel)
    {
        var ci = CultureInfo.InvariantCulture;
        var wall = Stopwatch.StartNew();
        var layout = MazeLayout.Load(o.LayoutPath);
        var distance = new GeodesicDistanceField(layout);
        var (goalX, goalY) = layout.Frame.CellCenter(layout.Goal);
        var resolver = new MlshBringupResolver(o.RepositoryRoot, o.CliCommand);
        var plan = new LaunchFileLoader(resolver).Load(Path.Combine(o.RepositoryRoot, "launch", "demo.launch.yaml"),
            new Dictionary<string, string> { ["layout"] = o.LayoutPath, ["models"] = o.ModelsDir, ["use_sim_time"] = "true" });
        var domain = o.DomainId.ToString(ci);
        plan = plan with
        {
            Processes = plan.Processes.Select(p => p with
            {
                Environment = new Dictionary<string, string?>(p.Environment) { ["ROS_DOMAIN_ID"] = domain },
                Parameters = p.Name == "mlsh_sim"
                    ? [.. p.Parameters, Running.LockstepPairing.SimTiming(o.RepositoryRoot, o.Lockstep)]
                    : p.Parameters,
            }).ToArray(),
        };

        var clock = new ScenarioClock();
        using var node = new RosNode("mlsh_demo", new RosNodeOptions { DomainId = o.DomainId, QosEventSink = _ => { } });
        using var observer = new ObserverNode(node, new ObserverTopics(), clock);
        using var stop = new CancellationTokenSource();
        var launch = Task.Run(() => new Launcher(plan, new LaunchOptions
        {
            Output = o.Log,
            Error = o.Log,
            SigtermTimeout = TimeSpan.FromSeconds(3),
            SigkillTimeout = TimeSpan.FromSeconds(3),
        }).RunAsync(stop.Token));

        var reason = "time limit";
        var reached = false;
        double? goalTime = null;
        var nextProgress = 0.0;
        // A lockstep run can be slower than real time; bound it anyway so the demo never hangs.
        var wallBudget = o.StartupTimeout + TimeSpan.FromSeconds(o.TimeLimitS * (o.Lockstep ? 20 : 2));
        while (true)
        {
            if (cancel.IsCancellationRequested) { reason = "stopped by the user"; break; }
            observer.Poll(TimeSpan.FromMilliseconds(20));
            if (launch.IsCompleted) { reason = "a node ended"; break; }
            if (!clock.Started && wall.Elapsed > o.StartupTimeout) { reason = $"no odometry from the simulator within {o.StartupTimeout.TotalSeconds:0} s"; break; }
            if (wall.Elapsed > wallBudget) { reason = string.Create(ci, $"wall-clock budget of {wallBudget.TotalSeconds:0} s used up at {clock.NowS:F1} s simulated"); break; }
            var t = clock.NowS;
            if (double.IsFinite(observer.X) && t >= nextProgress)
            {
                nextProgress += 5;
                Say(o, string.Create(ci, $"t={t,5:F1} s  base=({observer.X,6:F2}, {observer.Y,6:F2}) m  skill {observer.ActiveSkill}  {distance.DistanceToGoal(observer.X, observer.Y):F2} m to go"));
            }
            if (double.IsFinite(observer.X) && Math.Sqrt(Sq(observer.X - goalX) + Sq(observer.Y - goalY)) <= layout.GoalRadius)
            {
                reached = true;
                goalTime = observer.LastOdometryS;
                reason = "goal reached";
                break;
            }
            if (t >= o.TimeLimitS) break;
        }

        // Drain the runtime's last statistics, then stop both nodes (SIGINT → SIGTERM → SIGKILL, bounded).
        for (var i = 0; i < 5; i++) observer.Poll(TimeSpan.FromMilliseconds(20));
        stop.Cancel();
        var failures = new List<string>();
        if (launch.Wait(TimeSpan.FromSeconds(20)))
            failures.AddRange(launch.Result.Failures.Select(f => f.ToString()));
        else
            failures.Add("the nodes did not stop within 20 s");
        if (reason == "a node ended" && failures.Count == 0) failures.Add("a node exited on its own before the demo ended");

        var svg = Path.Combine(o.OutputDirectory, "trajectory.svg");
        var title = string.Create(ci, $"{layout.Name}: {(reached ? $"goal reached at {goalTime:F1} s" : "goal not reached")} (policy)");
        TrajectorySvg.Write(svg, layout, observer.Trajectory, title);
        var fx = double.IsFinite(observer.X) ? observer.X : 0;
        var fy = double.IsFinite(observer.Y) ? observer.Y : 0;
        var result = new DemoResult
        {
            Controller = "policy",
            Layout = layout.Name,
            Timing = o.Lockstep ? "lockstep" : "realtime",
            ReachedGoal = reached,
            GoalTimeS = goalTime,
            SimTimeS = clock.NowS,
            WallTimeS = wall.Elapsed.TotalSeconds,
            Start = [0, 0],
            Goal = [goalX, goalY],
            FinalPosition = [fx, fy],
            StartPathDistanceM = distance.DistanceToGoal(0, 0),
            FinalPathDistanceM = distance.DistanceToGoal(fx, fy),
            SkillSequence = observer.Trajectory.SkillSequence().Where(s => s >= 0).ToArray(),
            MasterTicks = observer.SkillMessages,
            ControlLoop = observer.RuntimeStatus is { } rs ? new Dictionary<string, string>(rs) : null,
            Simulator = observer.Diagnostics.FirstOrDefault(d => d.Key.StartsWith("mlsh_sim", StringComparison.Ordinal)).Value,
            StopReason = reason,
            NodeFailures = [.. failures],
            TrajectorySvg = svg,
        };
        WriteReport(o, result);
        return result;
    }

    private static DemoResult RunScripted(DemoOptions o)
    {
        var ci = CultureInfo.InvariantCulture;
        var wall = Stopwatch.StartNew();
        var layout = MazeLayout.Load(o.LayoutPath);
        var path = new List<(int Step, double X, double Y)>(4096);
        var reachedAt = (double?)null;
        var r = ScriptedMazeRun.Run(o.LayoutPath, o.Seed, (step, x, y, _) => path.Add((step, x, y)));
        var trajectory = new Trajectory(path.Count + 1);
        var dt = r.Steps > 0 ? r.SimSeconds / r.Steps : 0;
        trajectory.Add(0, r.StartX, r.StartY, -1);
        foreach (var (step, x, y) in path) trajectory.Add(step * dt, x, y, -1);
        if (r.End == EpisodeEnd.Success) reachedAt = r.SimSeconds;
        var svg = Path.Combine(o.OutputDirectory, "trajectory.svg");
        TrajectorySvg.Write(svg, layout, trajectory,
            string.Create(ci, $"{layout.Name}: {(reachedAt is { } g ? $"goal reached at {g:F1} s" : "goal not reached")} (scripted trot, no policy)"),
            _ => "scripted trot (no policy)");
        var result = new DemoResult
        {
            Controller = "scripted",
            Layout = layout.Name,
            Timing = "in-process",
            ReachedGoal = r.End == EpisodeEnd.Success,
            GoalTimeS = reachedAt,
            SimTimeS = r.SimSeconds,
            WallTimeS = wall.Elapsed.TotalSeconds,
            Start = [r.StartX, r.StartY],
            Goal = [r.GoalX, r.GoalY],
            FinalPosition = [r.FinalX, r.FinalY],
            StartPathDistanceM = r.StartPathDistance,
            FinalPathDistanceM = r.FinalPathDistance,
            SkillSequence = [],
            MasterTicks = 0,
            StopReason = r.End switch
            {
                EpisodeEnd.Success => "goal reached",
                EpisodeEnd.Fall => "fell over",
                EpisodeEnd.TimeLimit => "layout time limit",
                EpisodeEnd.Divergence => "physics diverged",
                _ => r.End.ToString(),
            },
            NodeFailures = [],
            TrajectorySvg = svg,
        };
        WriteReport(o, result);
        return result;
    }

    /// <summary>The human summary printed at the end.</summary>
    public static string Summary(DemoResult r)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(ci, $"layout      {r.Layout} ({r.Controller}, {r.Timing})\n");
        sb.Append(ci, $"outcome     {(r.ReachedGoal ? $"reached the goal at {r.GoalTimeS:F1} s" : "did NOT reach the goal")} — stopped: {r.StopReason}\n");
        sb.Append(ci, $"time        {r.SimTimeS:F1} s simulated in {r.WallTimeS:F1} s wall clock\n");
        sb.Append(ci, $"distance    {r.StartPathDistanceM:F2} m path at the start, {r.FinalPathDistanceM:F2} m left; final ({r.FinalPosition[0]:F2}, {r.FinalPosition[1]:F2}) m\n");
        if (r.Controller == "policy")
        {
            sb.Append(ci, $"skills      {(r.SkillSequence.Length == 0 ? "none reported" : string.Join(" → ", r.SkillSequence))} ({r.MasterTicks} master ticks)\n");
            if (r.ControlLoop is { } c)
                sb.Append(ci, $"control     {Get(c, RuntimeStatusKeys.Cycles)} cycles, {Get(c, RuntimeStatusKeys.DeadlineMisses)} deadline misses, {Get(c, RuntimeStatusKeys.ClockSkippedCycles)} periods skipped on /clock, cycle p50 {Get(c, RuntimeStatusKeys.CycleP50Us)} µs / p99 {Get(c, RuntimeStatusKeys.CycleP99Us)} µs / max {Get(c, RuntimeStatusKeys.CycleMaxUs)} µs, safe-mode entries {Get(c, RuntimeStatusKeys.SafeModeEntries)}\n");
            else
                sb.Append("control     the runtime reported no statistics on /diagnostics\n");
            if (r.Simulator is { } s)
                sb.Append(ci, $"simulator   real-time factor {Get(s, "real_time_factor")}, deadline misses {Get(s, "deadline_misses")}, lockstep wait timeouts {Get(s, "lockstep_wait_timeouts")}, command timeouts {Get(s, "command_timeouts")}\n");
        }
        foreach (var f in r.NodeFailures) sb.Append(ci, $"failure     {f}\n");
        sb.Append(ci, $"wrote       {r.TrajectorySvg} and report.json\n");
        return sb.ToString();

        static string Get(IReadOnlyDictionary<string, string> d, string key) => d.TryGetValue(key, out var v) ? v : "n/a";
    }

    private static void WriteReport(DemoOptions o, DemoResult r)
    {
        Directory.CreateDirectory(o.OutputDirectory);
        var json = JsonSerializer.Serialize(r, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
        AtomicFile.WriteAllText(Path.Combine(o.OutputDirectory, "report.json"), json + "\n");
    }

    private static void Say(DemoOptions o, string message)
    {
        lock (o.Log) o.Log.WriteLine($"[demo] {message}");
    }

    private static double Sq(double v) => v * v;
}

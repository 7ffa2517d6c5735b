using System.Diagnostics;
using Mlsh.Core.Launch;

namespace Mlsh.Core.Tests.Launch;

/// <summary>The launcher against real child processes: small /bin/sh scripts written into a temp folder.
/// A fake `mlsh` script stands in for the CLI so `node` actions run through the same resolution as in use.</summary>
public sealed class LauncherTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly LaunchTestFiles _files = new();
    private readonly StringWriter _out = new();
    private readonly StringWriter _err = new();
    private readonly TextWriter _syncOut;
    private readonly TextWriter _syncErr;

    public LauncherTests()
    {
        _syncOut = TextWriter.Synchronized(_out);
        _syncErr = TextWriter.Synchronized(_err);
    }

    public void Dispose() => _files.Dispose();

    private string Out { get { lock (_syncOut) return _out.ToString(); } }
    private string Err { get { lock (_syncErr) return _err.ToString(); } }

    /// <summary>A fake CLI: `mlsh sim ...` runs the `sim` branch, `mlsh run ...` the `run` branch.</summary>
    private LaunchPlan Plan(string launchYaml, string? simBody = null, string? runBody = null)
    {
        var cli = _files.Script("fake-mlsh", $"""
            verb=$1; shift
            case "$verb" in
              sim) {simBody ?? "exit 0"} ;;
              run) {runBody ?? "exit 0"} ;;
            esac
            """);
        var path = _files.Write("launch/test.launch.yaml", launchYaml);
        return new LaunchFileLoader(new MlshBringupResolver(_files.Dir, [cli])).Load(path);
    }

    private Launcher NewLauncher(LaunchPlan plan, double sigterm = 5, double sigkill = 5) =>
        new(plan, new LaunchOptions
        {
            Output = _syncOut,
            Error = _syncErr,
            SigtermTimeout = TimeSpan.FromSeconds(sigterm),
            SigkillTimeout = TimeSpan.FromSeconds(sigkill),
        });

    private const string BothNodes = """
        launch:
          - node: {pkg: mlsh_bringup, exec: mlsh_sim}
          - node: {pkg: mlsh_bringup, exec: mlsh_runtime}
        """;

    private void WaitForOutput(params string[] fragments)
    {
        var sw = Stopwatch.StartNew();
        while (!fragments.All(f => Out.Contains(f, StringComparison.Ordinal)))
        {
            if (sw.Elapsed > Patience) throw new TimeoutException($"output never showed {string.Join(", ", fragments)}; got:\n{Out}\n{Err}");
            Thread.Sleep(20);
        }
    }

    [Fact]
    public async Task TwoProcesses_RunWithOutputPrefixedByName_AndCompleteCleanly()
    {
        var plan = Plan("""
            launch:
              - executable: {cmd: sh -c "echo hello; echo oops >&2", name: alpha}
              - executable: {cmd: sh -c "echo world", name: beta}
            """);
        var report = await NewLauncher(plan).RunAsync();

        report.ExitCode.Should().Be(0);
        report.Processes.Select(p => p.End).Should().Equal(ProcessEnd.Completed, ProcessEnd.Completed);
        Out.Should().Contain("[alpha] hello").And.Contain("[beta] world");
        Err.Should().Contain("[alpha] oops", "stderr lines are prefixed too and go to the error writer");
    }

    [Fact]
    public async Task OneNodeDies_TheOtherIsStopped_AndTheReportNamesTheDeadOneWithItsExitCode()
    {
        var plan = Plan(BothNodes, simBody: "echo sim up; exec sleep 60", runBody: "sleep 0.3; echo giving up; exit 3");
        var sw = Stopwatch.StartNew();
        var report = await NewLauncher(plan).RunAsync();

        sw.Elapsed.Should().BeLessThan(Patience);
        report.ExitCode.Should().Be(1);
        var runtime = report.Processes.Single(p => p.Name == "mlsh_runtime");
        runtime.End.Should().Be(ProcessEnd.Failed);
        runtime.Status!.Value.ExitCode.Should().Be(3);
        runtime.ToString().Should().Be("node mlsh_runtime exited with code 3");
        report.Processes.Single(p => p.Name == "mlsh_sim").End.Should().Be(ProcessEnd.StoppedOnRequest);
        report.Failures.Should().ContainSingle().Which.Name.Should().Be("mlsh_runtime");
        Err.Should().Contain("FAILED: node mlsh_runtime exited with code 3");
    }

    [Fact]
    public async Task NodeKilledBySignal_IsReportedWithTheSignal()
    {
        var plan = Plan(BothNodes, simBody: "exec sleep 60", runBody: "kill -SEGV $$");
        var report = await NewLauncher(plan).RunAsync();

        report.ExitCode.Should().Be(1);
        report.Failures.Single().ToString().Should().Be("node mlsh_runtime was killed by signal 11 (SIGSEGV)");
    }

    [Fact]
    public async Task Stop_SendsSigintToEveryProcessGroup_AndAllEndCleanly()
    {
        var plan = Plan(BothNodes,
            simBody: "trap 'echo sim got SIGINT; exit 0' INT; echo sim ready; while :; do sleep 0.05; done",
            runBody: "echo run ready; exec sleep 60");
        using var stop = new CancellationTokenSource();
        var run = NewLauncher(plan).RunAsync(stop.Token);
        WaitForOutput("[mlsh_sim] sim ready", "[mlsh_runtime] run ready");
        stop.Cancel();
        var report = await run.WaitAsync(Patience);

        report.ExitCode.Should().Be(0, Err);
        report.Processes.Should().OnlyContain(p => p.End == ProcessEnd.StoppedOnRequest);
        report.ShutdownReason.Should().Be("stop requested");
        Out.Should().Contain("[mlsh_sim] sim got SIGINT");
    }

    [Fact]
    public async Task ProcessIgnoringSigint_IsEscalatedToSigterm_AndOneIgnoringBoth_ToSigkill()
    {
        var plan = Plan("""
            launch:
              - executable:
                  cmd: sh -c "trap '' INT; echo stubborn ready; exec sleep 60"
                  name: stubborn
                  sigterm_timeout: 0.3
              - executable:
                  cmd: sh -c "trap '' INT TERM; echo deaf ready; while :; do sleep 0.05; done"
                  name: deaf
                  sigterm_timeout: 0.3
                  sigkill_timeout: 0.3
            """);
        using var stop = new CancellationTokenSource();
        var run = NewLauncher(plan).RunAsync(stop.Token);
        WaitForOutput("[stubborn] stubborn ready", "[deaf] deaf ready");
        stop.Cancel();
        var report = await run.WaitAsync(Patience);

        var stubborn = report.Processes.Single(p => p.Name == "stubborn");
        stubborn.End.Should().Be(ProcessEnd.StoppedBySigterm);
        stubborn.Status!.Value.Signal.Should().Be(15);
        var deaf = report.Processes.Single(p => p.Name == "deaf");
        deaf.End.Should().Be(ProcessEnd.Killed);
        deaf.Status!.Value.Signal.Should().Be(9);
        report.ExitCode.Should().Be(1, "a process that had to be forced did not shut down cleanly");
        Err.Should().Contain("stubborn did not stop within 0.3 s; sending SIGTERM").And.Contain("deaf did not stop within 0.3 s; sending SIGKILL");
    }

    [Fact]
    public async Task AfterTheLaunchReturns_NoLaunchedProcessOrTheirChildrenAreLeft()
    {
        var pidFile = Path.Combine(_files.Dir, "grandchild.pid");
        var plan = Plan(BothNodes,
            simBody: $"sleep 300 & echo $! > {pidFile}; echo sim ready; wait",
            runBody: "echo run ready; exec sleep 300");
        using var stop = new CancellationTokenSource();
        var run = NewLauncher(plan).RunAsync(stop.Token);
        WaitForOutput("sim ready", "run ready");
        stop.Cancel();
        var report = await run.WaitAsync(Patience);

        var pids = report.Processes.Select(p => p.Pid!.Value).Append(int.Parse(File.ReadAllText(pidFile).Trim())).ToList();
        pids.Should().HaveCount(3);
        foreach (var pid in pids) IsAlive(pid).Should().BeFalse($"pid {pid} must be gone or a zombie awaiting its new parent");
        foreach (var p in report.Processes) Directory.Exists($"/proc/{p.Pid}").Should().BeFalse("the launcher reaps its own children");
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z" && state != "X";
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }

    [Fact]
    public async Task ParamsFilesInlineParamsAndEnvironment_ReachTheNode()
    {
        _files.Write("launch/params/sim.yaml", "mlsh_sim:\n  ros__parameters:\n    physics_rate_hz: 500.0\n");
        var plan = Plan("""
            launch:
              - set_env: {name: MLSH_LAUNCH_TEST, value: from-set-env}
              - node:
                  pkg: mlsh_bringup
                  exec: mlsh_sim
                  args: --layout layouts/train/u_maze.yaml
                  param:
                    - from: $(dirname)/params/sim.yaml
                    - {name: use_sim_time, value: "true"}
                  env:
                    - {name: ROS_DOMAIN_ID, value: "7"}
            """,
            simBody: """echo "argv: $*"; echo "env: $MLSH_LAUNCH_TEST $ROS_DOMAIN_ID"; cat "$4"; echo "$4" > inline-path""");
        var cwd = Directory.GetCurrentDirectory();
        var report = await NewLauncher(plan with
        {
            Processes = [plan.Processes[0] with { WorkingDirectory = _files.Dir }],
        }).RunAsync();

        report.ExitCode.Should().Be(0, Err);
        var inline = File.ReadAllText(Path.Combine(_files.Dir, "inline-path")).Trim();
        Out.Should().Contain($"[mlsh_sim] argv: --params {Path.Combine(_files.Dir, "launch", "params", "sim.yaml")} --params {inline} --layout layouts/train/u_maze.yaml");
        Out.Should().Contain("[mlsh_sim] env: from-set-env 7");
        Out.Should().Contain("[mlsh_sim] /**:").And.Contain("[mlsh_sim]     use_sim_time: true");
        File.Exists(inline).Should().BeFalse("the launcher deletes its temporary parameter files");
        Directory.GetCurrentDirectory().Should().Be(cwd);
    }

    [Fact]
    public async Task RequiredNodeExitingWithZero_EndsTheLaunch_AndStillExitsZero()
    {
        var plan = Plan(BothNodes, simBody: "echo sim ready; exec sleep 60", runBody: "sleep 0.3; echo run done; exit 0");
        var report = await NewLauncher(plan).RunAsync().WaitAsync(Patience);

        report.ExitCode.Should().Be(0, Err);
        report.Processes.Single(p => p.Name == "mlsh_runtime").End.Should().Be(ProcessEnd.Completed);
        report.Processes.Single(p => p.Name == "mlsh_sim").End.Should().Be(ProcessEnd.StoppedOnRequest);
        report.ShutdownReason.Should().Be("node mlsh_runtime exited with code 0");
    }

    [Fact]
    public async Task ProgramThatDoesNotExist_IsReportedAsNotStarted_AndTheOthersAreStopped()
    {
        var plan = Plan("""
            launch:
              - executable: {cmd: sleep 60, name: sleeper}
              - executable: {cmd: mlsh-no-such-program --flag, name: ghost}
            """);
        var report = await NewLauncher(plan).RunAsync().WaitAsync(Patience);

        report.ExitCode.Should().Be(1);
        var ghost = report.Processes.Single(p => p.Name == "ghost");
        ghost.End.Should().Be(ProcessEnd.NotStarted);
        ghost.Pid.Should().BeNull();
        ghost.Detail.Should().Contain("posix_spawnp failed: No such file or directory");
        report.Processes.Single(p => p.Name == "sleeper").End.Should().Be(ProcessEnd.StoppedOnRequest);
    }

    [Fact]
    public async Task Launcher_RunsOnlyOnce()
    {
        var launcher = NewLauncher(Plan("launch:\n  - executable: {cmd: \"true\"}\n"));
        (await launcher.RunAsync()).ExitCode.Should().Be(0);
        await FluentActions.Awaiting(() => launcher.RunAsync()).Should().ThrowAsync<InvalidOperationException>();
    }
}

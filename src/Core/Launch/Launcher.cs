using System.Collections;
using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Mlsh.Core.Interop;
using Mlsh.Core.IO;
using Mlsh.Core.Launch.Interop;

namespace Mlsh.Core.Launch;

/// <summary>Settings of one <see cref="Launcher"/> run. Immutable.</summary>
public sealed record LaunchOptions
{
    /// <summary>Time from SIGINT to SIGTERM for processes without their own sigterm_timeout (ROS 2 default: 5 s).</summary>
    public TimeSpan SigtermTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Time from SIGTERM to SIGKILL for processes without their own sigkill_timeout.</summary>
    public TimeSpan SigkillTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Colour the `[name]` prefixes (when the output is a terminal).</summary>
    public bool Colour { get; init; }

    /// <summary>Where the processes' stdout lines go, prefixed. Written under a lock, one line per call.</summary>
    public TextWriter Output { get; init; } = Console.Out;

    /// <summary>Where the processes' stderr lines and the launcher's own `[launch]` messages go.</summary>
    public TextWriter Error { get; init; } = Console.Error;

    /// <summary>The environment processes start from (before their launch-file env); null: this process's.</summary>
    public IReadOnlyDictionary<string, string>? BaseEnvironment { get; init; }
}

/// <summary>
/// Runs the processes of a <see cref="LaunchPlan"/> as children, each in its own process group, prefixes
/// their output with `[name]`, and stops them all together.
/// </summary>
/// <remarks>
/// <para>Exit rule (cf. ros2 launch's `on_exit: shutdown`): a process that exits with a non-zero code or by
/// a signal ends the launch; so does any exit of a required process (every `node`, and an `executable` with
/// `on_exit: shutdown`). An executable that exits 0 and is not required just finishes; the launch ends when
/// nothing is left running.</para>
/// <para>Stopping (on cancellation of the token given to <see cref="RunAsync"/>, i.e. Ctrl-C, or on the rule
/// above): SIGINT to every process group, SIGTERM after the process's sigterm_timeout, SIGKILL after its
/// sigkill_timeout. A process that needed SIGTERM or SIGKILL did not run its own shutdown (a runtime node
/// would skip commanding safe mode), so it counts as a failure in the report.</para>
/// <para>Every child is reaped before <see cref="RunAsync"/> returns and each process group is swept with
/// SIGKILL, so no launched process outlives the launcher. One run per instance; not reusable.</para>
/// </remarks>
public sealed class Launcher
{
    private static readonly int[] Palette = [32, 36, 35, 33, 34, 92, 96, 95];

    private readonly LaunchPlan _plan;
    private readonly LaunchOptions _options;
    private readonly object _writeLock = new();
    private int _started;

    public Launcher(LaunchPlan plan, LaunchOptions? options = null)
    {
        _plan = plan;
        _options = options ?? new LaunchOptions();
    }

    /// <summary>Starts every process and returns when all have ended.</summary>
    /// <param name="stop">Cancel to stop the launch cleanly (what Ctrl-C does).</param>
    public async Task<LaunchReport> RunAsync(CancellationToken stop = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) throw new InvalidOperationException("a Launcher runs once");
        var tempDir = Path.Combine(Path.GetTempPath(), $"mlsh-launch-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var exits = Channel.CreateUnbounded<Running>();
        var running = new List<Running>();
        var outcomes = new List<ProcessOutcome>();
        string? reason = null;
        try
        {
            var baseEnv = _options.BaseEnvironment ?? CurrentEnvironment();
            for (var i = 0; i < _plan.Processes.Count && reason is null; i++)
            {
                var spec = _plan.Processes[i];
                if (stop.IsCancellationRequested) { reason = "stop requested"; break; }
                try
                {
                    var argv = spec.BuildArgv(WriteInlineParameters(spec, tempDir));
                    var child = ChildProcess.Start(argv, BuildEnvironment(baseEnv, spec.Environment), spec.WorkingDirectory, spec.Name);
                    var r = new Running(spec, child, StartReaders(spec, child, i));
                    running.Add(r);
                    _ = child.Exited.ContinueWith(_ => exits.Writer.TryWrite(r), TaskScheduler.Default);
                    Say($"started {spec.Name} (pid {child.Pid}): {spec.Describe()}");
                }
                catch (Exception e) when (e is LibcException or IOException or UnauthorizedAccessException)
                {
                    var outcome = new ProcessOutcome(spec.Name, spec.Kind, null, null, ProcessEnd.NotStarted, $"could not be started: {e.Message}");
                    outcomes.Add(outcome);
                    reason = outcome.ToString();
                }
            }

            var stopping = false;
            if (reason is not null) BeginStop(running, reason, ref stopping);
            while (running.Any(r => r.Outcome is null))
            {
                Running? exited;
                if (!stopping)
                {
                    exited = await NextExit(Timeout.InfiniteTimeSpan, stop).ConfigureAwait(false);
                    if (exited is null)
                    {
                        reason = "stop requested";
                        BeginStop(running, reason, ref stopping);
                        continue;
                    }
                }
                else
                {
                    exited = await NextExit(Escalate(running), CancellationToken.None).ConfigureAwait(false);
                    if (exited is null) continue;
                }

                if (exited.Outcome is not null) continue; // already given up on after SIGKILL
                var status = exited.Child.Exited.Result;
                exited.Outcome = Classify(exited, status, stopping);
                Say($"{exited.Outcome}");
                if (!stopping && (exited.Outcome.End != ProcessEnd.Completed || exited.Spec.Required))
                {
                    reason = exited.Outcome.ToString();
                    BeginStop(running, reason, ref stopping);
                }
            }

            // DESIGN: a node may leave helpers behind in its group (a shell's background job); the launch owns
            // the whole group, so it is swept even after a clean exit. ESRCH (nothing left) is the usual case.
            foreach (var r in running) r.Child.SignalGroup(LibcNative.SIGKILL);
            foreach (var r in running) r.JoinReaders(TimeSpan.FromSeconds(2));
        }
        finally
        {
            foreach (var r in running) r.Child.Dispose();
            try { if (Directory.Exists(tempDir)) Directory.Delete(tempDir, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }

        outcomes.AddRange(running.Select(r => r.Outcome!));
        var ordered = _plan.Processes.Select(p => outcomes.FirstOrDefault(o => o.Name == p.Name)).OfType<ProcessOutcome>().ToList();
        var report = new LaunchReport(ordered, reason ?? "all processes finished");
        foreach (var failure in report.Failures) Say($"FAILED: {failure}");
        Say(report.ExitCode == 0 ? $"done ({report.ShutdownReason}); every process ended cleanly" : $"done ({report.ShutdownReason}); exit code {report.ExitCode}");
        return report;

        async Task<Running?> NextExit(TimeSpan timeout, CancellationToken token)
        {
            if (exits.Reader.TryRead(out var ready)) return ready;
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(token);
            if (timeout != Timeout.InfiniteTimeSpan) cts.CancelAfter(timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout);
            try { return await exits.Reader.ReadAsync(cts.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { return null; }
        }
    }

    private ProcessOutcome Classify(Running r, ExitStatus status, bool stopping)
    {
        var pid = r.Child.Pid;
        if (!stopping || r.Stage == Stage.None)
        {
            return status.ExitCode == 0
                ? new ProcessOutcome(r.Spec.Name, r.Spec.Kind, pid, status, ProcessEnd.Completed, status.ToString())
                : new ProcessOutcome(r.Spec.Name, r.Spec.Kind, pid, status, ProcessEnd.Failed, status.ToString());
        }
        return r.Stage switch
        {
            Stage.Sigint when IsCleanStop(status) =>
                new ProcessOutcome(r.Spec.Name, r.Spec.Kind, pid, status, ProcessEnd.StoppedOnRequest, $"stopped on SIGINT ({status})"),
            Stage.Sigint =>
                new ProcessOutcome(r.Spec.Name, r.Spec.Kind, pid, status, ProcessEnd.Failed, $"{status} while stopping"),
            Stage.Sigterm =>
                new ProcessOutcome(r.Spec.Name, r.Spec.Kind, pid, status, ProcessEnd.StoppedBySigterm,
                    $"ignored SIGINT for {ProcessSpec.Seconds(SigtermTimeout(r.Spec))} s and was stopped by SIGTERM ({status})"),
            _ =>
                new ProcessOutcome(r.Spec.Name, r.Spec.Kind, pid, status, ProcessEnd.Killed,
                    $"ignored SIGINT and SIGTERM and was killed with SIGKILL ({status})"),
        };
    }

    /// <summary>0, death by SIGINT/SIGTERM, or a shell's 128+signal for them: the process honoured the request.</summary>
    private static bool IsCleanStop(ExitStatus s) =>
        s.ExitCode is 0 or 128 + LibcNative.SIGINT or 128 + LibcNative.SIGTERM
        || s.Signal is LibcNative.SIGINT or LibcNative.SIGTERM;

    private void BeginStop(List<Running> running, string reason, ref bool stopping)
    {
        if (stopping) return;
        stopping = true;
        var alive = running.Where(r => r.Outcome is null).ToList();
        if (alive.Count > 0) Say($"stopping {string.Join(", ", alive.Select(r => r.Spec.Name))}: {reason}");
        var now = Stopwatch.GetTimestamp();
        foreach (var r in alive) Signal(r, Stage.Sigint, LibcNative.SIGINT, now);
    }

    /// <summary>Sends SIGTERM / SIGKILL to processes past their deadline; returns the time to the next deadline.</summary>
    private TimeSpan Escalate(List<Running> running)
    {
        var next = TimeSpan.MaxValue;
        var now = Stopwatch.GetTimestamp();
        foreach (var r in running.Where(r => r.Outcome is null))
        {
            var (timeout, stage, signal) = r.Stage == Stage.Sigint
                ? (SigtermTimeout(r.Spec), Stage.Sigterm, LibcNative.SIGTERM)
                : (SigkillTimeout(r.Spec), Stage.Sigkill, LibcNative.SIGKILL);
            if (r.Stage == Stage.Sigkill)
            {
                // A process that survives SIGKILL is stuck in the kernel (uninterruptible I/O); waiting on it
                // would hang the launch forever, so it is reported and the launch ends without it.
                var giveUp = timeout > TimeSpan.FromSeconds(1) ? timeout : TimeSpan.FromSeconds(1);
                if (Stopwatch.GetElapsedTime(r.SignalledAt, now) > giveUp)
                {
                    r.Outcome = new ProcessOutcome(r.Spec.Name, r.Spec.Kind, r.Child.Pid, null, ProcessEnd.Killed,
                        $"did not exit within {ProcessSpec.Seconds(giveUp)} s of SIGKILL (stuck in the kernel?)");
                    Say(r.Outcome.ToString());
                    continue;
                }
                next = Min(next, TimeSpan.FromMilliseconds(100));
                continue;
            }
            var due = timeout - Stopwatch.GetElapsedTime(r.SignalledAt, now);
            if (due <= TimeSpan.Zero)
            {
                Say($"{r.Spec.Name} did not stop within {ProcessSpec.Seconds(timeout)} s; sending {SignalNames.Name(signal)}");
                Signal(r, stage, signal, now);
                due = stage == Stage.Sigkill ? TimeSpan.FromMilliseconds(100) : SigkillTimeout(r.Spec);
            }
            next = Min(next, due);
        }
        return next == TimeSpan.MaxValue ? TimeSpan.FromMilliseconds(100) : next;

        static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
    }

    private static void Signal(Running r, Stage stage, int signal, long now)
    {
        r.Stage = stage;
        r.SignalledAt = now;
        r.Child.SignalGroup(signal);
    }

    private TimeSpan SigtermTimeout(ProcessSpec s) => s.SigtermTimeout ?? _options.SigtermTimeout;
    private TimeSpan SigkillTimeout(ProcessSpec s) => s.SigkillTimeout ?? _options.SigkillTimeout;

    private static List<string> WriteInlineParameters(ProcessSpec spec, string tempDir)
    {
        var files = new List<string>();
        var n = 0;
        foreach (var source in spec.Parameters.Where(p => p.File is null))
        {
            var path = Path.Combine(tempDir, $"{spec.Name}.inline{n++}.yaml");
            AtomicFile.WriteAllText(path, source.ToParameterFileYaml());
            files.Add(path);
        }
        return files;
    }

    private static List<string> BuildEnvironment(IReadOnlyDictionary<string, string> baseEnv, IReadOnlyDictionary<string, string?> overlay)
    {
        var env = new Dictionary<string, string>(baseEnv, StringComparer.Ordinal);
        foreach (var (k, v) in overlay)
        {
            if (v is null) env.Remove(k);
            else env[k] = v;
        }
        return env.Select(kv => $"{kv.Key}={kv.Value}").ToList();
    }

    private static Dictionary<string, string> CurrentEnvironment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables()) env[(string)e.Key] = (string?)e.Value ?? "";
        return env;
    }

    private Thread[] StartReaders(ProcessSpec spec, ChildProcess child, int index)
    {
        var prefix = _options.Colour
            ? $"\u001b[1;{Palette[index % Palette.Length]}m[{spec.Name}]\u001b[0m "
            : $"[{spec.Name}] ";
        var threads = new[]
        {
            new Thread(() => Pump(child.StandardOutput, _options.Output, prefix)) { IsBackground = true, Name = $"launch-out-{spec.Name}" },
            new Thread(() => Pump(child.StandardError, _options.Error, prefix)) { IsBackground = true, Name = $"launch-err-{spec.Name}" },
        };
        foreach (var t in threads) t.Start();
        return threads;
    }

    /// <summary>Copies a pipe to <paramref name="sink"/> line by line, each line prefixed, until EOF.</summary>
    private void Pump(Microsoft.Win32.SafeHandles.SafeFileHandle pipe, TextWriter sink, string prefix)
    {
        try
        {
            using var stream = new FileStream(pipe, FileAccess.Read, 1);
            using var reader = new StreamReader(stream, new UTF8Encoding(false));
            while (reader.ReadLine() is { } line)
            {
                lock (_writeLock)
                {
                    sink.WriteLine(prefix + line);
                    sink.Flush();
                }
            }
        }
        catch (ObjectDisposedException) { }
        catch (IOException) { }
    }

    private void Say(string message)
    {
        var prefix = _options.Colour ? "\u001b[1m[launch]\u001b[0m " : "[launch] ";
        lock (_writeLock)
        {
            _options.Error.WriteLine(prefix + message);
            _options.Error.Flush();
        }
    }

    private enum Stage { None, Sigint, Sigterm, Sigkill }

    private sealed class Running(ProcessSpec spec, ChildProcess child, Thread[] readers)
    {
        public ProcessSpec Spec { get; } = spec;
        public ChildProcess Child { get; } = child;
        public Stage Stage { get; set; }
        public long SignalledAt { get; set; }
        public ProcessOutcome? Outcome { get; set; }

        public void JoinReaders(TimeSpan timeout)
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
            foreach (var t in readers)
            {
                var left = TimeSpan.FromSeconds(Math.Max(0, (deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency));
                t.Join(left);
            }
        }
    }
}

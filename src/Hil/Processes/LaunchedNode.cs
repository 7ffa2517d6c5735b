using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mlsh.Core.Launch;

namespace Mlsh.Hil.Processes;

/// <summary>
/// One node of a launch plan run by its own <see cref="Launcher"/> (own process group, prefixed output, clean stop,
/// failure report), so the harness can kill and restart it alone. Owned by the harness thread that created it;
/// <see cref="Kill"/> and <see cref="StopAsync"/> may be called from that thread only.
/// </summary>
/// <remarks>DESIGN: one launcher per node instead of one for the whole plan, because a launcher stops every process
/// when one exits — right for `mlsh launch`, wrong for a kill-and-restart fault.</remarks>
public sealed class LaunchedNode : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PidSniffer _output;
    private readonly Task<LaunchReport> _run;

    /// <summary>Starts the process now.</summary>
    public LaunchedNode(LaunchPlan plan, ProcessSpec spec, LaunchOptions options)
    {
        Name = spec.Name;
        _output = new PidSniffer(options.Error, spec.Name);
        var single = new LaunchPlan(plan.SourceFile, [spec], plan.Arguments);
        var launcher = new Launcher(single, options with { Error = _output });
        _run = Task.Run(() => launcher.RunAsync(_stop.Token));
    }

    public string Name { get; }

    /// <summary>The process id once the launcher reported it.</summary>
    public int? Pid => _output.Pid;

    /// <summary>True once the process ended (on its own, killed or stopped).</summary>
    public bool HasEnded => _run.IsCompleted;

    /// <summary>True after <see cref="Kill"/>: its end is the scenario's doing, not a failure.</summary>
    public bool KilledOnPurpose { get; private set; }

    /// <summary>SIGKILL to the process (a crash, not a shutdown). Waits up to 5 s for the pid to be known.</summary>
    public bool Kill()
    {
        KilledOnPurpose = true;
        var deadline = Environment.TickCount64 + 5000;
        while (Pid is null && !HasEnded && Environment.TickCount64 < deadline) Thread.Sleep(10);
        if (Pid is not { } pid || HasEnded) return false;
        try
        {
            using var p = Process.GetProcessById(pid);
            p.Kill(entireProcessTree: true);
            return true;
        }
        catch (ArgumentException) { return false; }            // already gone
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>Stops the node cleanly (SIGINT, then the launcher's SIGTERM/SIGKILL escalation) and returns its
    /// launcher's report; bounded by <paramref name="timeout"/> (null when it did not finish in time).</summary>
    public async Task<LaunchReport?> StopAsync(TimeSpan timeout)
    {
        _stop.Cancel();
        var done = await Task.WhenAny(_run, Task.Delay(timeout)).ConfigureAwait(false);
        return done == _run ? await _run.ConfigureAwait(false) : null;
    }

    /// <summary>The report once ended, else null.</summary>
    public LaunchReport? Report => _run.IsCompletedSuccessfully ? _run.Result : null;

    public async ValueTask DisposeAsync()
    {
        if (!_run.IsCompleted) await StopAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>Passes the launcher's stderr lines through and picks the pid out of its "started NAME (pid N)" line
    /// (the launcher does not expose pids while running).</summary>
    private sealed class PidSniffer(TextWriter inner, string name) : TextWriter
    {
        private readonly StringBuilder _line = new();
        private readonly string _marker = $"started {name} (pid ";
        private int _pid;

        public int? Pid => Volatile.Read(ref _pid) is var p && p > 0 ? p : null;
        public override Encoding Encoding => inner.Encoding;

        public override void Write(char value)
        {
            lock (_line)
            {
                if (value == '\n') { Inspect(_line.ToString()); _line.Clear(); }
                else _line.Append(value);
            }
            inner.Write(value);
        }

        public override void Write(string? value)
        {
            if (value is null) return;
            lock (_line)
            {
                foreach (var ch in value)
                {
                    if (ch == '\n') { Inspect(_line.ToString()); _line.Clear(); }
                    else _line.Append(ch);
                }
            }
            inner.Write(value);
        }

        public override void WriteLine(string? value)
        {
            Write(value);
            Write('\n');
        }

        public override void Flush() => inner.Flush();

        private void Inspect(string line)
        {
            var i = line.IndexOf(_marker, StringComparison.Ordinal);
            if (i < 0) return;
            var start = i + _marker.Length;
            var end = line.IndexOf(')', start);
            if (end > start && int.TryParse(line.AsSpan(start, end - start), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                Volatile.Write(ref _pid, pid);
        }
    }
}

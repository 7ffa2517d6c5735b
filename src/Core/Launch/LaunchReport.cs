using Mlsh.Core.Launch.Interop;

namespace Mlsh.Core.Launch;

/// <summary>How one launched process ended.</summary>
public enum ProcessEnd
{
    /// <summary>Exited with code 0 on its own.</summary>
    Completed,
    /// <summary>Exited on its own with a non-zero code or a signal, or exited with an error while stopping.</summary>
    Failed,
    /// <summary>Ended within the grace period after the launcher's SIGINT.</summary>
    StoppedOnRequest,
    /// <summary>Ignored SIGINT for its sigterm_timeout and ended after SIGTERM.</summary>
    StoppedBySigterm,
    /// <summary>Ignored SIGINT and SIGTERM and was killed with SIGKILL.</summary>
    Killed,
    /// <summary>Could not be started (e.g. the program does not exist).</summary>
    NotStarted,
}

/// <summary>The end of one process: its pid (null if never started), exit status and whether it ended cleanly.</summary>
public sealed record ProcessOutcome(string Name, ProcessKind Kind, int? Pid, ExitStatus? Status, ProcessEnd End, string Detail)
{
    /// <summary>Clean: completed with 0, or stopped on request within the grace period.</summary>
    public bool Clean => End is ProcessEnd.Completed or ProcessEnd.StoppedOnRequest;

    /// <summary>One line for the report, e.g. "node mlsh_runtime exited with code 3".</summary>
    public override string ToString() => $"{(Kind == ProcessKind.Node ? "node" : "process")} {Name} {Detail}";
}

/// <summary>
/// The result of <see cref="Launcher.RunAsync"/>: <see cref="ExitCode"/> is 0 only when every process ended
/// cleanly (after a stop request or by completing normally), 1 otherwise.
/// </summary>
public sealed record LaunchReport(IReadOnlyList<ProcessOutcome> Processes, string ShutdownReason)
{
    public int ExitCode => Processes.All(p => p.Clean) ? 0 : 1;

    /// <summary>The processes that did not end cleanly, in start order.</summary>
    public IEnumerable<ProcessOutcome> Failures => Processes.Where(p => !p.Clean);
}

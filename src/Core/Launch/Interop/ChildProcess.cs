using System.Diagnostics;
using Microsoft.Win32.SafeHandles;
using Mlsh.Core.Interop;

namespace Mlsh.Core.Launch.Interop;

/// <summary>How a child process ended: an exit code, or the signal that terminated it.</summary>
public readonly record struct ExitStatus(int? ExitCode, int? Signal)
{
    public bool Succeeded => ExitCode == 0;

    public static ExitStatus FromWaitStatus(int status) =>
        LibcNative.WIFEXITED(status) ? new ExitStatus(LibcNative.WEXITSTATUS(status), null)
        : LibcNative.WIFSIGNALED(status) ? new ExitStatus(null, LibcNative.WTERMSIG(status))
        : new ExitStatus(null, null);

    /// <summary>"exited with code 3" or "was killed by signal 9 (SIGKILL)".</summary>
    public override string ToString() =>
        ExitCode is { } c ? $"exited with code {c}"
        : Signal is { } s ? $"was killed by signal {s} ({SignalNames.Name(s)})"
        : "ended in an unknown way (status could not be collected)";
}

/// <summary>Linux signal numbers to their names, for reports.</summary>
public static class SignalNames
{
    private static readonly string[] Names =
    {
        "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL",
        "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
        "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
        "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    };

    public static string Name(int signal) =>
        signal > 0 && signal < Names.Length ? Names[signal] : $"SIGRT{signal - 34:+0;-0}";
}

/// <summary>
/// A child process started with posix_spawnp in its own process group (pgid == pid), stdin from
/// /dev/null, stdout and stderr on pipes the caller reads.
/// </summary>
/// <remarks>
/// Ownership: this object is the only one that reaps the pid. A dedicated waiter thread blocks in
/// waitpid(pid) from spawn until exit, so the child never lingers as a zombie and its status is
/// never collected twice. <see cref="Dispose"/> kills the whole process group if the child is still
/// running and waits for the waiter, so disposing never leaves a child behind.
/// Thread safety: <see cref="SignalGroup"/> and <see cref="Dispose"/> may be called from any thread.
/// </remarks>
internal sealed class ChildProcess : IDisposable
{
    private readonly TaskCompletionSource<ExitStatus> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    public int Pid { get; }

    /// <summary>The read end of the child's stdout pipe; the caller owns reading and disposing it.</summary>
    public SafeFileHandle StandardOutput { get; }

    /// <summary>The read end of the child's stderr pipe.</summary>
    public SafeFileHandle StandardError { get; }

    /// <summary>Completes (on a pool thread) once the child has been reaped.</summary>
    public Task<ExitStatus> Exited => _exited.Task;

    private ChildProcess(int pid, SafeFileHandle stdout, SafeFileHandle stderr, string name)
    {
        Pid = pid;
        StandardOutput = stdout;
        StandardError = stderr;
        var waiter = new Thread(WaitLoop) { IsBackground = true, Name = $"launch-wait-{name}" };
        waiter.Start();
    }

    /// <summary>Starts <paramref name="argv"/> (argv[0] looked up on PATH) with exactly <paramref name="environment"/>
    /// ("NAME=value" entries) in <paramref name="workingDirectory"/> (null: ours).</summary>
    /// <exception cref="LibcException">the process could not be started (e.g. posix_spawnp: No such file or directory).</exception>
    public static unsafe ChildProcess Start(IReadOnlyList<string> argv, IReadOnlyList<string> environment, string? workingDirectory, string name)
    {
        if (argv.Count == 0) throw new ArgumentException("empty command line", nameof(argv));
        int* outPipe = stackalloc int[2];
        int* errPipe = stackalloc int[2];
        LibcNative.CheckErrno(LibcNative.pipe2(outPipe, LibcNative.O_CLOEXEC), nameof(LibcNative.pipe2));
        var errCreated = LibcNative.pipe2(errPipe, LibcNative.O_CLOEXEC);
        if (errCreated == -1)
        {
            var errno = LibcNative.Errno;
            LibcNative.close(outPipe[0]);
            LibcNative.close(outPipe[1]);
            LibcNative.Check(errno, nameof(LibcNative.pipe2));
        }
        var stdoutRead = new SafeFileHandle(outPipe[0], ownsHandle: true);
        var stderrRead = new SafeFileHandle(errPipe[0], ownsHandle: true);
        try
        {
            using var actions = new SafeSpawnFileActions();
            using var attributes = new SafeSpawnAttributes();
            using var args = new SafeNativeStringArray(argv);
            using var env = new SafeNativeStringArray(environment);

            LibcNative.Check(LibcNative.posix_spawn_file_actions_addopen(actions.Pointer, 0, "/dev/null", LibcNative.O_RDONLY, 0),
                nameof(LibcNative.posix_spawn_file_actions_addopen));
            LibcNative.Check(LibcNative.posix_spawn_file_actions_adddup2(actions.Pointer, outPipe[1], 1),
                nameof(LibcNative.posix_spawn_file_actions_adddup2));
            LibcNative.Check(LibcNative.posix_spawn_file_actions_adddup2(actions.Pointer, errPipe[1], 2),
                nameof(LibcNative.posix_spawn_file_actions_adddup2));
            if (workingDirectory is not null)
                LibcNative.Check(LibcNative.posix_spawn_file_actions_addchdir_np(actions.Pointer, workingDirectory),
                    nameof(LibcNative.posix_spawn_file_actions_addchdir_np));

            // The runtime ignores SIGPIPE and may block signals on this thread; a node must start with
            // default dispositions and an empty mask, or `Ctrl-C` and broken pipes would not reach it.
            byte* sigset = stackalloc byte[LibcNative.SigsetBytes];
            LibcNative.CheckErrno(LibcNative.sigemptyset(sigset), nameof(LibcNative.sigemptyset));
            LibcNative.Check(LibcNative.posix_spawnattr_setsigmask(attributes.Pointer, sigset), nameof(LibcNative.posix_spawnattr_setsigmask));
            LibcNative.CheckErrno(LibcNative.sigfillset(sigset), nameof(LibcNative.sigfillset));
            LibcNative.Check(LibcNative.posix_spawnattr_setsigdefault(attributes.Pointer, sigset), nameof(LibcNative.posix_spawnattr_setsigdefault));
            LibcNative.Check(LibcNative.posix_spawnattr_setpgroup(attributes.Pointer, 0), nameof(LibcNative.posix_spawnattr_setpgroup));
            LibcNative.Check(LibcNative.posix_spawnattr_setflags(attributes.Pointer,
                    LibcNative.POSIX_SPAWN_SETPGROUP | LibcNative.POSIX_SPAWN_SETSIGDEF | LibcNative.POSIX_SPAWN_SETSIGMASK),
                nameof(LibcNative.posix_spawnattr_setflags));

            var rc = LibcNative.posix_spawnp(out var pid, argv[0], actions.Pointer, attributes.Pointer, args.Pointer, env.Pointer);
            LibcNative.Check(rc, nameof(LibcNative.posix_spawnp));
            return new ChildProcess(pid, stdoutRead, stderrRead, name);
        }
        catch
        {
            stdoutRead.Dispose();
            stderrRead.Dispose();
            throw;
        }
        finally
        {
            // The child holds its own copies of the write ends; ours must go or readers never see EOF.
            LibcNative.close(outPipe[1]);
            LibcNative.close(errPipe[1]);
        }
    }

    /// <summary>Sends <paramref name="signal"/> to the child's whole process group.</summary>
    /// <returns>false when no process of the group is left (ESRCH).</returns>
    public bool SignalGroup(int signal)
    {
        if (LibcNative.kill(-Pid, signal) == 0) return true;
        var errno = LibcNative.Errno;
        if (errno == LibcNative.ESRCH) return false;
        throw new LibcException(nameof(LibcNative.kill), errno);
    }

    private void WaitLoop()
    {
        while (true)
        {
            var r = LibcNative.waitpid(Pid, out var status, 0);
            if (r == Pid)
            {
                _exited.TrySetResult(ExitStatus.FromWaitStatus(status));
                return;
            }
            var errno = LibcNative.Errno;
            if (r == -1 && errno == LibcNative.EINTR) continue;
            // ECHILD: someone else reaped it (only possible if SIGCHLD was ignored by the host).
            _exited.TrySetResult(new ExitStatus(null, null));
            Debug.Assert(errno == LibcNative.ECHILD, $"waitpid({Pid}) failed with errno {errno}");
            return;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (!Exited.IsCompleted)
        {
            SignalGroup(LibcNative.SIGKILL);
            Exited.Wait(TimeSpan.FromSeconds(10));
        }
        StandardOutput.Dispose();
        StandardError.Dispose();
    }
}

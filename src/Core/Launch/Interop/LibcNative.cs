using System.Runtime.InteropServices;

namespace Mlsh.Core.Launch.Interop;

/// <summary>
/// Every libc entry point the launcher calls. Linux/glibc only (the project targets Debian 12).
/// </summary>
/// <remarks>
/// DESIGN: System.Diagnostics.Process cannot put a child into its own process group, and a node's
/// process group is what lets one signal reach a node and every helper it forked (a `sh -c` wrapper
/// and its child, an `mpirun` and its ranks). posix_spawn with POSIX_SPAWN_SETPGROUP does that in
/// the same atomic fork+exec step, so there is no window in which the child runs in our group.
/// </remarks>
internal static unsafe partial class LibcNative
{
    public const string Library = "libc.so.6";

    // <spawn.h> (glibc)
    public const short POSIX_SPAWN_SETPGROUP = 0x02;
    public const short POSIX_SPAWN_SETSIGDEF = 0x04;
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;

    // <fcntl.h>
    public const int O_RDONLY = 0;
    public const int O_CLOEXEC = 0x80000;

    // <signal.h> (Linux)
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    // <errno.h>
    public const int EINTR = 4;
    public const int ESRCH = 3;
    public const int ECHILD = 10;

    /// <summary>Generous upper bounds on the opaque glibc types (336, 80 and 128 bytes on x86-64/arm64).</summary>
    public const int SpawnAttrBytes = 1024;
    public const int FileActionsBytes = 512;
    public const int SigsetBytes = 256;

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int posix_spawnp(out int pid, string file, void* fileActions, void* attributes, byte** argv, byte** envp);

    [LibraryImport(Library)]
    public static partial int posix_spawnattr_init(void* attributes);

    [LibraryImport(Library)]
    public static partial int posix_spawnattr_destroy(void* attributes);

    [LibraryImport(Library)]
    public static partial int posix_spawnattr_setflags(void* attributes, short flags);

    [LibraryImport(Library)]
    public static partial int posix_spawnattr_setpgroup(void* attributes, int pgroup);

    [LibraryImport(Library)]
    public static partial int posix_spawnattr_setsigmask(void* attributes, void* sigmask);

    [LibraryImport(Library)]
    public static partial int posix_spawnattr_setsigdefault(void* attributes, void* sigdefault);

    [LibraryImport(Library)]
    public static partial int posix_spawn_file_actions_init(void* fileActions);

    [LibraryImport(Library)]
    public static partial int posix_spawn_file_actions_destroy(void* fileActions);

    [LibraryImport(Library)]
    public static partial int posix_spawn_file_actions_adddup2(void* fileActions, int fd, int newFd);

    [LibraryImport(Library)]
    public static partial int posix_spawn_file_actions_addclose(void* fileActions, int fd);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int posix_spawn_file_actions_addopen(void* fileActions, int fd, string path, int oflag, uint mode);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int posix_spawn_file_actions_addchdir_np(void* fileActions, string path);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int sigemptyset(void* set);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int sigfillset(void* set);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int pipe2(int* fds, int flags);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int kill(int pid, int signal);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int waitpid(int pid, out int status, int options);

    /// <summary>
    /// The one error check for libc: a non-zero <paramref name="errorNumber"/> becomes a
    /// <see cref="LibcException"/> carrying libc's own strerror text and the failing function.
    /// posix_spawn* return the error number; the classic calls return -1 and set errno, for which
    /// pass <see cref="Errno"/>.
    /// </summary>
    public static void Check(int errorNumber, string function)
    {
        if (errorNumber != 0) throw new LibcException(function, errorNumber);
    }

    /// <summary>For calls that return -1 and set errno (declared with SetLastError).</summary>
    public static void CheckErrno(int result, string function)
    {
        if (result == -1) throw new LibcException(function, Marshal.GetLastPInvokeError());
    }

    public static int Errno => Marshal.GetLastPInvokeError();

    // <sys/wait.h> status decoding (the glibc macros).
    public static bool WIFEXITED(int status) => (status & 0x7f) == 0;
    public static int WEXITSTATUS(int status) => (status >> 8) & 0xff;
    public static bool WIFSIGNALED(int status) => ((status & 0x7f) + 1) >> 1 > 0 && (status & 0x7f) != 0x7f;
    public static int WTERMSIG(int status) => status & 0x7f;
}

/// <summary>A libc call failed; <see cref="Function"/> names it and the message is libc's strerror text.</summary>
public sealed class LibcException : Exception
{
    public string Function { get; }
    public int ErrorNumber { get; }

    public LibcException(string function, int errorNumber)
        : base($"{function} failed: {Marshal.GetPInvokeErrorMessage(errorNumber)} (errno {errorNumber})")
    {
        Function = function;
        ErrorNumber = errorNumber;
    }
}

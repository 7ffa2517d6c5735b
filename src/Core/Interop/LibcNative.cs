using System.Runtime.InteropServices;

namespace Mlsh.Core.Interop;

/// <summary>
/// Every libc (glibc) entry point the projects call, in one place: the launcher's process spawning, the
/// control thread's clock, sleep and scheduling calls, the MQTT client's socket shutdown, the
/// simulation benchmark's thread CPU clock and the dynamic loader the MPI binding uses.
/// Linux/glibc only (the project targets Debian 12).
/// Visible to the projects that call it through InternalsVisibleTo in Core.csproj.
/// </summary>
/// <remarks>
/// DESIGN: one native-methods class per native library (the team charter), so a declaration's
/// signature, marshalling and error convention are decided once for every caller.
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

    // <time.h> (Linux)
    public const int CLOCK_MONOTONIC = 1;
    public const int CLOCK_THREAD_CPUTIME_ID = 3;
    public const int TIMER_ABSTIME = 1;

    // <sched.h>
    public const int SCHED_OTHER = 0;
    public const int SCHED_FIFO = 1;

    // <sys/prctl.h>
    public const int PR_SET_TIMERSLACK = 29;
    public const int PR_GET_TIMERSLACK = 30;

    // <sys/socket.h>
    public const int SHUT_RDWR = 2;

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

    /// <summary>struct timespec on 64-bit Linux (time_t and long are both 64-bit).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long tv_sec;
        public long tv_nsec;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct SchedParam
    {
        public int sched_priority;
    }

    /// <summary>The control thread's clock read: no errno capture (SetLastError) on this per-cycle call.</summary>
    [LibraryImport(Library)]
    public static partial int clock_gettime(int clockId, Timespec* tp);

    /// <summary>clock_gettime for callers that report failures: -1 with errno captured for <see cref="CheckErrno"/>.</summary>
    [LibraryImport(Library, EntryPoint = "clock_gettime", SetLastError = true)]
    public static partial int clock_gettime_checked(int clockId, Timespec* tp);

    /// <summary>Returns 0 or an error number (it does not set errno).</summary>
    [LibraryImport(Library)]
    public static partial int clock_nanosleep(int clockId, int flags, Timespec* request, Timespec* remain);

    // prctl is variadic in <sys/prctl.h>; on the x86-64 and AArch64 Linux ABIs integer varargs travel in the
    // same registers as fixed arguments, so the fixed five-argument form is the documented way to call it.
    [LibraryImport(Library, SetLastError = true)]
    public static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    /// <summary>pid 0 = the calling thread (Linux schedules threads, not processes).</summary>
    [LibraryImport(Library, SetLastError = true)]
    public static partial int sched_setscheduler(int pid, int policy, SchedParam* param);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int sched_getscheduler(int pid);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int sched_get_priority_max(int policy);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int sched_setaffinity(int pid, nuint cpusetsize, ulong* mask);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int shutdown(int fd, int how);

    // <dlfcn.h>: the dynamic loader lives in libc.so.6 since glibc 2.34.
    public const int RTLD_NOW = 0x002;
    public const int RTLD_GLOBAL = 0x100;

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint dlopen(string file, int mode);

    [LibraryImport(Library)]
    public static partial byte* dlerror();

    /// <summary>The loader's message for the last dlopen failure, or a fallback when it has none.</summary>
    public static string DlErrorText()
    {
        var p = dlerror();
        return p == null ? "no dlerror message" : Marshal.PtrToStringUTF8((nint)p) ?? "no dlerror message";
    }

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

    /// <summary>The C library's text for an errno value (strerror), with the number.</summary>
    public static string ErrnoText(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";

    /// <summary>CPU time consumed by the calling thread, in seconds.</summary>
    /// <exception cref="LibcException">clock_gettime failed; carries errno's message.</exception>
    public static double ThreadCpuSeconds()
    {
        Timespec ts;
        CheckErrno(clock_gettime_checked(CLOCK_THREAD_CPUTIME_ID, &ts), nameof(clock_gettime));
        return ts.tv_sec + 1e-9 * ts.tv_nsec;
    }

    // <sys/wait.h> status decoding (the glibc macros).
    public static bool WIFEXITED(int status) => (status & 0x7f) == 0;
    public static int WEXITSTATUS(int status) => (status >> 8) & 0xff;
    public static bool WIFSIGNALED(int status) => ((status & 0x7f) + 1) >> 1 > 0 && (status & 0x7f) != 0x7f;
    public static int WTERMSIG(int status) => status & 0x7f;
}

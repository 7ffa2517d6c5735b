using System.Runtime.InteropServices;

namespace Mlsh.Runtime.Timing.Interop;

/// <summary>The glibc clock, sleep and scheduling calls the control thread uses (Linux only).</summary>
internal static unsafe partial class LibC
{
    private const string Lib = "libc.so.6";

    internal const int CLOCK_MONOTONIC = 1;
    internal const int TIMER_ABSTIME = 1;
    internal const int EINTR = 4;
    internal const int SCHED_OTHER = 0;
    internal const int SCHED_FIFO = 1;
    internal const int PR_SET_TIMERSLACK = 29;
    internal const int PR_GET_TIMERSLACK = 30;

    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        public long tv_sec;
        public long tv_nsec;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct SchedParam
    {
        public int sched_priority;
    }

    [LibraryImport(Lib)]
    internal static partial int clock_gettime(int clockId, Timespec* tp);

    /// <summary>Returns 0 or an error number (it does not set errno).</summary>
    [LibraryImport(Lib)]
    internal static partial int clock_nanosleep(int clockId, int flags, Timespec* request, Timespec* remain);

    // prctl is variadic in <sys/prctl.h>; on the x86-64 and AArch64 Linux ABIs integer varargs travel in the
    // same registers as fixed arguments, so the fixed five-argument form is the documented way to call it.
    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    /// <summary>pid 0 = the calling thread (Linux schedules threads, not processes).</summary>
    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int sched_setscheduler(int pid, int policy, SchedParam* param);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int sched_getscheduler(int pid);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int sched_get_priority_max(int policy);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int sched_setaffinity(int pid, nuint cpusetsize, ulong* mask);

    /// <summary>The C library's text for an errno value (strerror), with the number.</summary>
    internal static string ErrnoText(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
}

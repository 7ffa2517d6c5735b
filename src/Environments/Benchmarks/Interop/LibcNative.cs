using System.Runtime.InteropServices;

namespace Mlsh.Environments.Benchmarks.Interop;

/// <summary>The glibc calls the simulation benchmark needs: the calling thread's CPU clock.</summary>
internal static unsafe partial class LibcNative
{
    internal const string LibraryName = "libc.so.6";

    /// <summary>CLOCK_THREAD_CPUTIME_ID on Linux (bits/time.h).</summary>
    internal const int CLOCK_THREAD_CPUTIME_ID = 3;

    /// <summary>struct timespec on 64-bit Linux (time_t and long are both 64-bit).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        public long tv_sec;
        public long tv_nsec;
    }

    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial int clock_gettime(int clockid, Timespec* tp);

    /// <summary>CPU time consumed by the calling thread, in seconds.</summary>
    /// <exception cref="InvalidOperationException">clock_gettime failed; carries errno's message.</exception>
    internal static double ThreadCpuSeconds()
    {
        Timespec ts;
        Check(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts), nameof(clock_gettime));
        return ts.tv_sec + 1e-9 * ts.tv_nsec;
    }

    private static void Check(int status, string function)
    {
        if (status == 0) return;
        var errno = Marshal.GetLastPInvokeError();
        throw new InvalidOperationException($"{function} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }
}

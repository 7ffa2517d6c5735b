using System.Runtime.InteropServices;
using Mlsh.MuJoCo.Interop;

namespace Mlsh.MuJoCo;

/// <summary>
/// Process-wide set-up of libmujoco: checks that the loaded library is the version the struct layouts
/// were generated for, and installs the error/warning handlers. Runs once, on first model load.
/// Thread-safe.
/// </summary>
public static unsafe class MjLibrary
{
    private static readonly object Gate = new();
    private static bool s_initialized;
    private static string? s_lastWarning;
    private static long s_warningCount;

    /// <summary>Raised (on the simulating thread) for every MuJoCo warning, e.g. "Nan, Inf or huge value in QACC".</summary>
    public static event Action<string>? Warning;

    /// <summary>The most recent MuJoCo warning text, process-wide.</summary>
    public static string? LastWarning => Volatile.Read(ref s_lastWarning);

    /// <summary>Number of MuJoCo warnings received since start-up.</summary>
    public static long WarningCount => Interlocked.Read(ref s_warningCount);

    /// <summary>mj_version() of the loaded library (222 for MuJoCo 2.2.2).</summary>
    public static int Version
    {
        get { EnsureInitialized(); return MjNative.mj_version(); }
    }

    /// <summary>Loads the library, verifies its version, installs handlers. Idempotent.</summary>
    /// <exception cref="MjException">libmujoco is missing or has a different version than the layouts.</exception>
    public static void EnsureInitialized()
    {
        if (Volatile.Read(ref s_initialized)) return;
        lock (Gate)
        {
            if (s_initialized) return;
            int version;
            try
            {
                version = MjNative.mj_version();
            }
            catch (DllNotFoundException e)
            {
                throw new MjException("mj_version",
                    $"cannot load {MjNative.LibraryName}: install Debian's libmujoco-dev (scripts/setup.sh does): {e.Message}", e);
            }
            if (version != MjLayout.mjVERSION_HEADER)
                throw new MjException("mj_version",
                    $"{MjNative.LibraryName} reports version {version} but the struct layouts were generated for {MjLayout.mjVERSION_HEADER}; re-run tools/MjLayoutGen/generate.sh against the installed headers");

            // DESIGN: MuJoCo 2.2.2's mju_error calls the user handler and then simply *returns* to the
            // failing engine code (only the default handler calls exit()); the engine then continues on
            // a corrupt state (e.g. past an mjData stack overflow). A managed exception cannot unwind
            // through native frames and longjmp is not available from C#, so the handler ends the process
            // with Environment.FailFast carrying MuJoCo's message: a clean, diagnosable crash instead of
            // the default's printf + getchar + exit(1) (or silent memory corruption). Compile errors do
            // not go through it: mj_loadXML installs its own thread-local handler and reports through its
            // error buffer, which becomes MjLoadException.
            // The warning handler replaces the default, which appends to MUJOCO_LOG.TXT in the working
            // directory and prints to stdout.
            *(delegate* unmanaged<byte*, void>*)MjNative.GlobalVariable("mju_user_error") = &OnError;
            *(delegate* unmanaged<byte*, void>*)MjNative.GlobalVariable("mju_user_warning") = &OnWarning;
            Volatile.Write(ref s_initialized, true);
        }
    }

    [UnmanagedCallersOnly]
    private static void OnError(byte* message)
    {
        var text = MjNative.DecodeCString(message) ?? "(no message)";
        Console.Error.WriteLine($"MuJoCo fatal error (mju_error): {text}");
        Environment.FailFast($"MuJoCo fatal error (mju_error): {text}");
    }

    [UnmanagedCallersOnly]
    private static void OnWarning(byte* message)
    {
        // Must never throw back into native code.
        try
        {
            var text = MjNative.DecodeCString(message) ?? "(no message)";
            Volatile.Write(ref s_lastWarning, text);
            Interlocked.Increment(ref s_warningCount);
            Warning?.Invoke(text);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"MuJoCo warning handler failed: {e.Message}");
        }
    }
}

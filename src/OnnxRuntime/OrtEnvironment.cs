using System.Runtime.InteropServices;
using Mlsh.OnnxRuntime.Interop;

namespace Mlsh.OnnxRuntime;

/// <summary>
/// The process's ONNX Runtime: the loaded library, its version, and the one <c>OrtEnv</c> every
/// session is created in (ORT keeps a single logging/threading environment per process). Created on
/// first use and kept for the life of the process; thread-safe.
/// </summary>
public static unsafe class OrtEnvironment
{
    private static readonly Lazy<OrtEnvHandle> EnvLazy = new(CreateEnv, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<OrtMemoryInfoHandle> CpuLazy = new(CreateCpuMemoryInfo, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The loaded library's version string, e.g. "1.30.0".</summary>
    public static string Version => OrtNative.GetVersionString();

    /// <summary>The C API version Mlsh requests (<c>ORT_API_VERSION</c> of 1.30).</summary>
    public static uint ApiVersion => OrtNative.ApiVersion;

    /// <summary>Which libonnxruntime.so.1 is (or will be) loaded, and why.</summary>
    public static string LibraryPath => OrtNative.LibraryPathDescription;

    /// <summary>Execution providers compiled into the library ("CPUExecutionProvider", ...).</summary>
    public static IReadOnlyList<string> AvailableProviders
    {
        get
        {
            byte** names;
            int n;
            OrtStatus.Check(OrtNative.GetAvailableProviders(&names, &n), nameof(OrtNative.GetAvailableProviders));
            try
            {
                var list = new string[n];
                for (var i = 0; i < n; i++) list[i] = Marshal.PtrToStringUTF8((nint)names[i])!;
                return list;
            }
            finally
            {
                OrtStatus.Check(OrtNative.ReleaseAvailableProviders(names, n), nameof(OrtNative.ReleaseAvailableProviders));
            }
        }
    }

    internal static OrtEnvHandle Env => EnvLazy.Value;

    /// <summary>CPU memory description for tensors over caller-owned buffers.</summary>
    internal static OrtMemoryInfoHandle Cpu => CpuLazy.Value;

    /// <summary>ORT's default CPU allocator; owned by ORT, never released.</summary>
    internal static nint DefaultAllocator
    {
        get
        {
            nint a;
            OrtStatus.Check(OrtNative.GetAllocatorWithDefaultOptions(&a), nameof(OrtNative.GetAllocatorWithDefaultOptions));
            return a;
        }
    }

    private static OrtEnvHandle CreateEnv()
    {
        nint env;
        fixed (byte* id = "mlsh"u8)
            OrtStatus.Check(OrtNative.CreateEnv(OrtNative.LoggingLevelWarning, id, &env), nameof(OrtNative.CreateEnv));
        return new OrtEnvHandle(env);
    }

    private static OrtMemoryInfoHandle CreateCpuMemoryInfo()
    {
        nint info;
        OrtStatus.Check(OrtNative.CreateCpuMemoryInfo(OrtNative.AllocatorTypeArena, OrtNative.MemTypeDefault, &info), nameof(OrtNative.CreateCpuMemoryInfo));
        return new OrtMemoryInfoHandle(info);
    }

    /// <summary>Copies an ORT-allocated UTF-8 string and frees it with the allocator it came from.</summary>
    internal static string TakeString(nint allocator, byte* s, string function)
    {
        try { return Marshal.PtrToStringUTF8((nint)s) ?? ""; }
        finally { if (s != null) OrtStatus.Check(OrtNative.AllocatorFree(allocator, s), function); }
    }
}

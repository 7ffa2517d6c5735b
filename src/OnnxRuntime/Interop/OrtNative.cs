using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mlsh.OnnxRuntime.Interop;

/// <summary>
/// The ONNX Runtime C API, the one place Mlsh talks to libonnxruntime.so.1. The library exports a
/// single entry point, <c>OrtGetApiBase</c>; every other function is a pointer in the <c>OrtApi</c>
/// table (indices in <see cref="OrtApiSlot"/>) called through <c>delegate* unmanaged[Cdecl]</c>, so a
/// call costs an indirect jump and allocates nothing. Parameter names and order follow the header.
/// Opaque ORT objects are <c>nint</c> here and owned by the SafeHandles in OrtHandles.cs.
/// Every function returning an <c>OrtStatus*</c> must be passed to <see cref="OrtStatus.Check"/>.
/// </summary>
internal static unsafe partial class OrtNative
{
    internal const string Library = "onnxruntime";

    /// <summary>ORT_API_VERSION of ONNX Runtime 1.30, the version scripts/setup.sh installs.</summary>
    internal const uint ApiVersion = 30;

    /// <summary>Overrides the library location (a file path).</summary>
    internal const string PathVariable = "MLSH_ONNXRUNTIME_LIB";

    /// <summary>Where scripts/setup.sh installs npm onnxruntime-node's libonnxruntime.so.1.</summary>
    internal const string InstalledPath = "/usr/local/lib/mlsh/libonnxruntime.so.1";

    internal const int LoggingLevelWarning = 2;
    internal const int ExecutionModeSequential = 0;
    internal const int AllocatorTypeArena = 1;
    internal const int MemTypeDefault = 0;
    internal const int OnnxTypeTensor = 1;

    [StructLayout(LayoutKind.Sequential)]
    internal struct OrtApiBase
    {
        public delegate* unmanaged[Cdecl]<uint, void**> GetApi;
        public delegate* unmanaged[Cdecl]<byte*> GetVersionString;
    }

    [LibraryImport(Library)]
    internal static partial OrtApiBase* OrtGetApiBase();

    private static nint s_api;
    private static readonly Lock Gate = new();

    static OrtNative() => NativeLibrary.SetDllImportResolver(typeof(OrtNative).Assembly, Resolve);

    /// <summary>Which file the resolver will load, for messages and diagnostics.</summary>
    internal static string LibraryPathDescription =>
        ChooseLibrary(Environment.GetEnvironmentVariable(PathVariable), File.Exists) switch
        {
            (string path, true) => $"{path} (from {PathVariable})",
            (string path, false) => path,
            _ => "libonnxruntime.so.1 (default search path)",
        };

    /// <summary>
    /// The resolution order: <see cref="PathVariable"/> if set, then <see cref="InstalledPath"/> if it
    /// exists, else null (the loader's default search for libonnxruntime.so.1).
    /// </summary>
    internal static (string? Path, bool FromVariable) ChooseLibrary(string? variable, Func<string, bool> exists) =>
        !string.IsNullOrEmpty(variable) ? (variable, true)
        : exists(InstalledPath) ? (InstalledPath, false)
        : (null, false);

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Library) return 0;
        var (path, fromVariable) = ChooseLibrary(Environment.GetEnvironmentVariable(PathVariable), File.Exists);
        if (path is null) return NativeLibrary.TryLoad("libonnxruntime.so.1", assembly, searchPath, out var h) ? h : 0;
        try
        {
            return NativeLibrary.Load(path);
        }
        catch (DllNotFoundException e) when (fromVariable)
        {
            // DESIGN: an explicit MLSH_ONNXRUNTIME_LIB that does not load is an error, not a silent
            // fallback to another build of ORT with possibly different numerics.
            throw new DllNotFoundException($"{PathVariable}={path}: cannot load ONNX Runtime: {e.Message}", e);
        }
    }

    /// <summary>The OrtApi table, fetched once (thread-safe).</summary>
    internal static void** Api
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var api = Volatile.Read(ref s_api);
            return api != 0 ? (void**)api : Load();
        }
    }

    private static void** Load()
    {
        lock (Gate)
        {
            if (s_api != 0) return (void**)s_api;
            OrtApiBase* baseApi;
            try
            {
                baseApi = OrtGetApiBase();
            }
            catch (DllNotFoundException e)
            {
                throw new DllNotFoundException(
                    $"ONNX Runtime not found ({LibraryPathDescription}): run scripts/setup.sh, which installs it at {InstalledPath}, or set {PathVariable} to a libonnxruntime.so.1 of version 1.30 or newer. {e.Message}", e);
            }
            var api = baseApi->GetApi(ApiVersion);
            if (api == null)
                throw new NotSupportedException(
                    $"ONNX Runtime {Marshal.PtrToStringUTF8((nint)baseApi->GetVersionString())} at {LibraryPathDescription} does not provide C API version {ApiVersion}; Mlsh needs ONNX Runtime 1.30 or newer");
            Volatile.Write(ref s_api, (nint)api);
            return api;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void* Fn(OrtApiSlot slot) => Api[(int)slot];

    /// <summary>OrtApiBase::GetVersionString, e.g. "1.30.0".</summary>
    internal static string GetVersionString()
    {
        _ = Api;
        return Marshal.PtrToStringUTF8((nint)OrtGetApiBase()->GetVersionString())!;
    }

    // ---- OrtStatus ----
    internal static int GetErrorCode(nint status) => ((delegate* unmanaged[Cdecl]<nint, int>)Fn(OrtApiSlot.GetErrorCode))(status);
    internal static byte* GetErrorMessage(nint status) => ((delegate* unmanaged[Cdecl]<nint, byte*>)Fn(OrtApiSlot.GetErrorMessage))(status);
    internal static void ReleaseStatus(nint status) => ((delegate* unmanaged[Cdecl]<nint, void>)Fn(OrtApiSlot.ReleaseStatus))(status);
    internal static nint CreateStatus(int code, byte* msg) => ((delegate* unmanaged[Cdecl]<int, byte*, nint>)Fn(OrtApiSlot.CreateStatus))(code, msg);

    // ---- OrtEnv ----
    internal static nint CreateEnv(int logSeverityLevel, byte* logId, nint* env) =>
        ((delegate* unmanaged[Cdecl]<int, byte*, nint*, nint>)Fn(OrtApiSlot.CreateEnv))(logSeverityLevel, logId, env);
    internal static void ReleaseEnv(nint env) => ((delegate* unmanaged[Cdecl]<nint, void>)Fn(OrtApiSlot.ReleaseEnv))(env);
    internal static nint GetAvailableProviders(byte*** providers, int* length) =>
        ((delegate* unmanaged[Cdecl]<byte***, int*, nint>)Fn(OrtApiSlot.GetAvailableProviders))(providers, length);
    internal static nint ReleaseAvailableProviders(byte** providers, int length) =>
        ((delegate* unmanaged[Cdecl]<byte**, int, nint>)Fn(OrtApiSlot.ReleaseAvailableProviders))(providers, length);

    // ---- OrtSessionOptions ----
    internal static nint CreateSessionOptions(nint* options) => ((delegate* unmanaged[Cdecl]<nint*, nint>)Fn(OrtApiSlot.CreateSessionOptions))(options);
    internal static void ReleaseSessionOptions(nint options) => ((delegate* unmanaged[Cdecl]<nint, void>)Fn(OrtApiSlot.ReleaseSessionOptions))(options);
    internal static nint SetIntraOpNumThreads(nint options, int n) => ((delegate* unmanaged[Cdecl]<nint, int, nint>)Fn(OrtApiSlot.SetIntraOpNumThreads))(options, n);
    internal static nint SetInterOpNumThreads(nint options, int n) => ((delegate* unmanaged[Cdecl]<nint, int, nint>)Fn(OrtApiSlot.SetInterOpNumThreads))(options, n);
    internal static nint SetSessionGraphOptimizationLevel(nint options, int level) =>
        ((delegate* unmanaged[Cdecl]<nint, int, nint>)Fn(OrtApiSlot.SetSessionGraphOptimizationLevel))(options, level);
    internal static nint SetSessionExecutionMode(nint options, int mode) =>
        ((delegate* unmanaged[Cdecl]<nint, int, nint>)Fn(OrtApiSlot.SetSessionExecutionMode))(options, mode);

    // ---- OrtSession ----
    internal static nint CreateSession(nint env, byte* modelPath, nint options, nint* session) =>
        ((delegate* unmanaged[Cdecl]<nint, byte*, nint, nint*, nint>)Fn(OrtApiSlot.CreateSession))(env, modelPath, options, session);
    internal static nint CreateSessionFromArray(nint env, void* modelData, nuint modelDataLength, nint options, nint* session) =>
        ((delegate* unmanaged[Cdecl]<nint, void*, nuint, nint, nint*, nint>)Fn(OrtApiSlot.CreateSessionFromArray))(env, modelData, modelDataLength, options, session);
    internal static void ReleaseSession(nint session) => ((delegate* unmanaged[Cdecl]<nint, void>)Fn(OrtApiSlot.ReleaseSession))(session);
    internal static nint Run(nint session, nint runOptions, byte** inputNames, nint* inputs, nuint inputLen, byte** outputNames, nuint outputNamesLen, nint* outputs) =>
        ((delegate* unmanaged[Cdecl]<nint, nint, byte**, nint*, nuint, byte**, nuint, nint*, nint>)Fn(OrtApiSlot.Run))(
            session, runOptions, inputNames, inputs, inputLen, outputNames, outputNamesLen, outputs);
    internal static nint SessionGetInputCount(nint session, nuint* count) => ((delegate* unmanaged[Cdecl]<nint, nuint*, nint>)Fn(OrtApiSlot.SessionGetInputCount))(session, count);
    internal static nint SessionGetOutputCount(nint session, nuint* count) => ((delegate* unmanaged[Cdecl]<nint, nuint*, nint>)Fn(OrtApiSlot.SessionGetOutputCount))(session, count);
    internal static nint SessionGetInputName(nint session, nuint index, nint allocator, byte** value) =>
        ((delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint>)Fn(OrtApiSlot.SessionGetInputName))(session, index, allocator, value);
    internal static nint SessionGetOutputName(nint session, nuint index, nint allocator, byte** value) =>
        ((delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint>)Fn(OrtApiSlot.SessionGetOutputName))(session, index, allocator, value);
    internal static nint SessionGetInputTypeInfo(nint session, nuint index, nint* typeInfo) =>
        ((delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint>)Fn(OrtApiSlot.SessionGetInputTypeInfo))(session, index, typeInfo);
    internal static nint SessionGetOutputTypeInfo(nint session, nuint index, nint* typeInfo) =>
        ((delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint>)Fn(OrtApiSlot.SessionGetOutputTypeInfo))(session, index, typeInfo);

    // ---- Type and shape info ----
    internal static nint GetOnnxTypeFromTypeInfo(nint typeInfo, int* type) =>
        ((delegate* unmanaged[Cdecl]<nint, int*, nint>)Fn(OrtApiSlot.GetOnnxTypeFromTypeInfo))(typeInfo, type);
    /// <summary>The result is owned by <paramref name="typeInfo"/>: do not release it.</summary>
    internal static nint CastTypeInfoToTensorInfo(nint typeInfo, nint* tensorInfo) =>
        ((delegate* unmanaged[Cdecl]<nint, nint*, nint>)Fn(OrtApiSlot.CastTypeInfoToTensorInfo))(typeInfo, tensorInfo);
    internal static nint GetTensorElementType(nint tensorInfo, int* type) =>
        ((delegate* unmanaged[Cdecl]<nint, int*, nint>)Fn(OrtApiSlot.GetTensorElementType))(tensorInfo, type);
    internal static nint GetDimensionsCount(nint tensorInfo, nuint* count) =>
        ((delegate* unmanaged[Cdecl]<nint, nuint*, nint>)Fn(OrtApiSlot.GetDimensionsCount))(tensorInfo, count);
    internal static nint GetDimensions(nint tensorInfo, long* dimValues, nuint dimValuesLength) =>
        ((delegate* unmanaged[Cdecl]<nint, long*, nuint, nint>)Fn(OrtApiSlot.GetDimensions))(tensorInfo, dimValues, dimValuesLength);
    internal static nint GetSymbolicDimensions(nint tensorInfo, byte** dimParams, nuint dimParamsLength) =>
        ((delegate* unmanaged[Cdecl]<nint, byte**, nuint, nint>)Fn(OrtApiSlot.GetSymbolicDimensions))(tensorInfo, dimParams, dimParamsLength);
    internal static void ReleaseTypeInfo(nint typeInfo) => ((delegate* unmanaged[Cdecl]<nint, void>)Fn(OrtApiSlot.ReleaseTypeInfo))(typeInfo);

    // ---- Memory and values ----
    internal static nint CreateCpuMemoryInfo(int allocatorType, int memType, nint* info) =>
        ((delegate* unmanaged[Cdecl]<int, int, nint*, nint>)Fn(OrtApiSlot.CreateCpuMemoryInfo))(allocatorType, memType, info);
    internal static void ReleaseMemoryInfo(nint info) => ((delegate* unmanaged[Cdecl]<nint, void>)Fn(OrtApiSlot.ReleaseMemoryInfo))(info);
    internal static nint GetAllocatorWithDefaultOptions(nint* allocator) =>
        ((delegate* unmanaged[Cdecl]<nint*, nint>)Fn(OrtApiSlot.GetAllocatorWithDefaultOptions))(allocator);
    internal static nint AllocatorFree(nint allocator, void* p) => ((delegate* unmanaged[Cdecl]<nint, void*, nint>)Fn(OrtApiSlot.AllocatorFree))(allocator, p);
    internal static nint CreateTensorWithDataAsOrtValue(nint info, void* data, nuint dataLengthBytes, long* shape, nuint shapeLen, int type, nint* value) =>
        ((delegate* unmanaged[Cdecl]<nint, void*, nuint, long*, nuint, int, nint*, nint>)Fn(OrtApiSlot.CreateTensorWithDataAsOrtValue))(
            info, data, dataLengthBytes, shape, shapeLen, type, value);
    internal static nint GetTensorMutableData(nint value, void** data) =>
        ((delegate* unmanaged[Cdecl]<nint, void**, nint>)Fn(OrtApiSlot.GetTensorMutableData))(value, data);
    internal static void ReleaseValue(nint value) => ((delegate* unmanaged[Cdecl]<nint, void>)Fn(OrtApiSlot.ReleaseValue))(value);

    // ---- Model metadata ----
    internal static nint SessionGetModelMetadata(nint session, nint* metadata) =>
        ((delegate* unmanaged[Cdecl]<nint, nint*, nint>)Fn(OrtApiSlot.SessionGetModelMetadata))(session, metadata);
    internal static nint ModelMetadataGetProducerName(nint metadata, nint allocator, byte** value) =>
        ((delegate* unmanaged[Cdecl]<nint, nint, byte**, nint>)Fn(OrtApiSlot.ModelMetadataGetProducerName))(metadata, allocator, value);
    internal static nint ModelMetadataGetGraphName(nint metadata, nint allocator, byte** value) =>
        ((delegate* unmanaged[Cdecl]<nint, nint, byte**, nint>)Fn(OrtApiSlot.ModelMetadataGetGraphName))(metadata, allocator, value);
    internal static nint ModelMetadataGetDomain(nint metadata, nint allocator, byte** value) =>
        ((delegate* unmanaged[Cdecl]<nint, nint, byte**, nint>)Fn(OrtApiSlot.ModelMetadataGetDomain))(metadata, allocator, value);
    internal static nint ModelMetadataGetDescription(nint metadata, nint allocator, byte** value) =>
        ((delegate* unmanaged[Cdecl]<nint, nint, byte**, nint>)Fn(OrtApiSlot.ModelMetadataGetDescription))(metadata, allocator, value);
    internal static nint ModelMetadataLookupCustomMetadataMap(nint metadata, nint allocator, byte* key, byte** value) =>
        ((delegate* unmanaged[Cdecl]<nint, nint, byte*, byte**, nint>)Fn(OrtApiSlot.ModelMetadataLookupCustomMetadataMap))(metadata, allocator, key, value);
    internal static nint ModelMetadataGetVersion(nint metadata, long* value) =>
        ((delegate* unmanaged[Cdecl]<nint, long*, nint>)Fn(OrtApiSlot.ModelMetadataGetVersion))(metadata, value);
    internal static nint ModelMetadataGetCustomMetadataMapKeys(nint metadata, nint allocator, byte*** keys, long* numKeys) =>
        ((delegate* unmanaged[Cdecl]<nint, nint, byte***, long*, nint>)Fn(OrtApiSlot.ModelMetadataGetCustomMetadataMapKeys))(metadata, allocator, keys, numKeys);
    internal static void ReleaseModelMetadata(nint metadata) => ((delegate* unmanaged[Cdecl]<nint, void>)Fn(OrtApiSlot.ReleaseModelMetadata))(metadata);
}

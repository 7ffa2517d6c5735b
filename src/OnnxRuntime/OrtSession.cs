using System.Runtime.InteropServices;
using System.Text;
using Mlsh.OnnxRuntime.Interop;

namespace Mlsh.OnnxRuntime;

/// <summary>
/// One loaded ONNX model (an <c>OrtSession</c>), with its inputs, outputs and metadata read once at
/// load. Owns the native session; <see cref="Dispose"/> releases it once every
/// <see cref="OrtBinding"/> made from it is disposed too (bindings hold a reference on it).
/// Describing the session is thread-safe; running goes through a binding (one per thread).
/// </summary>
public sealed unsafe class OrtSession : IDisposable
{
    internal OrtSessionHandle Handle { get; }

    public IReadOnlyList<OrtTensorInfo> Inputs { get; }
    public IReadOnlyList<OrtTensorInfo> Outputs { get; }
    public OrtModelMetadata Metadata { get; }
    public OrtSessionOptions Options { get; }

    /// <summary>Where the model came from, for messages ("models/x/master.onnx" or "&lt;bytes&gt;").</summary>
    public string Source { get; }

    private OrtSession(OrtSessionHandle handle, OrtSessionOptions options, string source)
    {
        Handle = handle;
        Options = options;
        Source = source;
        try
        {
            Inputs = Describe(isInput: true);
            Outputs = Describe(isInput: false);
            Metadata = ReadMetadata();
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Loads a model file. <exception cref="OrtException">ORT rejects the file (missing, truncated, not ONNX, invalid graph).</exception></summary>
    public static OrtSession FromFile(string path, OrtSessionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= OrtSessionOptions.Default;
        var utf8 = Encoding.UTF8.GetBytes(Path.GetFullPath(path) + "\0");
        return Create(options, path, (env, opts) =>
        {
            nint s;
            fixed (byte* p = utf8) OrtStatus.Check(OrtNative.CreateSession(env, p, opts, &s), nameof(OrtNative.CreateSession));
            return s;
        });
    }

    /// <summary>Loads a model from memory (ORT copies what it needs; the span may be reused afterwards).</summary>
    /// <param name="source">Names the model in messages.</param>
    public static OrtSession FromBytes(ReadOnlySpan<byte> model, OrtSessionOptions? options = null, string source = "<bytes>")
    {
        options ??= OrtSessionOptions.Default;
        fixed (byte* p = model)
        {
            var ptr = p;
            var len = (nuint)model.Length;
            return Create(options, source, (env, opts) =>
            {
                nint s;
                OrtStatus.Check(OrtNative.CreateSessionFromArray(env, ptr, len, opts, &s), nameof(OrtNative.CreateSessionFromArray));
                return s;
            });
        }
    }

    private static OrtSession Create(OrtSessionOptions options, string source, Func<nint, nint, nint> create)
    {
        if (options.IntraOpThreads < 0) throw new ArgumentOutOfRangeException(nameof(options), $"IntraOpThreads: expected >= 0 (0 = ORT default), got {options.IntraOpThreads}");
        if (options.InterOpThreads < 0) throw new ArgumentOutOfRangeException(nameof(options), $"InterOpThreads: expected >= 0 (0 = ORT default), got {options.InterOpThreads}");
        var env = OrtEnvironment.Env;
        nint raw;
        OrtStatus.Check(OrtNative.CreateSessionOptions(&raw), nameof(OrtNative.CreateSessionOptions));
        using var opts = new OrtSessionOptionsHandle(raw);
        var o = opts.DangerousGetHandle();
        OrtStatus.Check(OrtNative.SetIntraOpNumThreads(o, options.IntraOpThreads), nameof(OrtNative.SetIntraOpNumThreads));
        OrtStatus.Check(OrtNative.SetInterOpNumThreads(o, options.InterOpThreads), nameof(OrtNative.SetInterOpNumThreads));
        OrtStatus.Check(OrtNative.SetSessionExecutionMode(o, OrtNative.ExecutionModeSequential), nameof(OrtNative.SetSessionExecutionMode));
        OrtStatus.Check(OrtNative.SetSessionGraphOptimizationLevel(o, (int)options.Optimization), nameof(OrtNative.SetSessionGraphOptimizationLevel));

        var added = false;
        env.DangerousAddRef(ref added);
        try
        {
            var session = create(env.DangerousGetHandle(), o);
            return new OrtSession(new OrtSessionHandle(session, env), options, source);
        }
        finally
        {
            env.DangerousRelease();
        }
    }

    /// <summary>
    /// Preallocates pinned buffers and ORT tensors over them for every input and output (all must be
    /// float; a symbolic leading dimension becomes <paramref name="batchSize"/>), so that
    /// <see cref="OrtBinding.Run"/> allocates nothing.
    /// </summary>
    /// <exception cref="NotSupportedException">A non-float tensor or a symbolic non-batch dimension.</exception>
    public OrtBinding Bind(int batchSize = 1)
    {
        ObjectDisposedException.ThrowIf(Handle.IsClosed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return new OrtBinding(this, batchSize);
    }

    public void Dispose() => Handle.Dispose();

    private OrtTensorInfo[] Describe(bool isInput)
    {
        var s = Handle.DangerousGetHandle();
        nuint count;
        if (isInput) OrtStatus.Check(OrtNative.SessionGetInputCount(s, &count), nameof(OrtNative.SessionGetInputCount));
        else OrtStatus.Check(OrtNative.SessionGetOutputCount(s, &count), nameof(OrtNative.SessionGetOutputCount));
        var allocator = OrtEnvironment.DefaultAllocator;
        var result = new OrtTensorInfo[(int)count];
        for (nuint i = 0; i < count; i++)
        {
            byte* name;
            string nameFn = isInput ? nameof(OrtNative.SessionGetInputName) : nameof(OrtNative.SessionGetOutputName);
            OrtStatus.Check(isInput ? OrtNative.SessionGetInputName(s, i, allocator, &name) : OrtNative.SessionGetOutputName(s, i, allocator, &name), nameFn);
            var n = OrtEnvironment.TakeString(allocator, name, nameof(OrtNative.AllocatorFree));

            nint ti;
            OrtStatus.Check(isInput ? OrtNative.SessionGetInputTypeInfo(s, i, &ti) : OrtNative.SessionGetOutputTypeInfo(s, i, &ti),
                isInput ? nameof(OrtNative.SessionGetInputTypeInfo) : nameof(OrtNative.SessionGetOutputTypeInfo));
            using var typeInfo = new OrtTypeInfoHandle(ti);
            result[(int)i] = DescribeTensor(n, ti);
        }
        return result;
    }

    private static OrtTensorInfo DescribeTensor(string name, nint typeInfo)
    {
        int onnxType;
        OrtStatus.Check(OrtNative.GetOnnxTypeFromTypeInfo(typeInfo, &onnxType), nameof(OrtNative.GetOnnxTypeFromTypeInfo));
        if (onnxType != OrtNative.OnnxTypeTensor) return new OrtTensorInfo(name, OrtElementType.Undefined, [], []);
        nint tensor;
        OrtStatus.Check(OrtNative.CastTypeInfoToTensorInfo(typeInfo, &tensor), nameof(OrtNative.CastTypeInfoToTensorInfo));
        int elem;
        OrtStatus.Check(OrtNative.GetTensorElementType(tensor, &elem), nameof(OrtNative.GetTensorElementType));
        nuint rank;
        OrtStatus.Check(OrtNative.GetDimensionsCount(tensor, &rank), nameof(OrtNative.GetDimensionsCount));
        var dims = new long[(int)rank];
        var symbolic = new string[(int)rank];
        if (rank > 0)
        {
            var names = stackalloc byte*[(int)rank];
            fixed (long* d = dims) OrtStatus.Check(OrtNative.GetDimensions(tensor, d, rank), nameof(OrtNative.GetDimensions));
            OrtStatus.Check(OrtNative.GetSymbolicDimensions(tensor, names, rank), nameof(OrtNative.GetSymbolicDimensions));
            // The symbolic names are owned by the type info: copy, do not free.
            for (var k = 0; k < (int)rank; k++) symbolic[k] = Marshal.PtrToStringUTF8((nint)names[k]) ?? "";
        }
        return new OrtTensorInfo(name, (OrtElementType)elem, dims, symbolic);
    }

    private OrtModelMetadata ReadMetadata()
    {
        nint raw;
        OrtStatus.Check(OrtNative.SessionGetModelMetadata(Handle.DangerousGetHandle(), &raw), nameof(OrtNative.SessionGetModelMetadata));
        using var meta = new OrtModelMetadataHandle(raw, Handle);
        var a = OrtEnvironment.DefaultAllocator;
        static string Str(delegate*<nint, nint, byte**, nint> get, nint m, nint a, string fn)
        {
            byte* v;
            OrtStatus.Check(get(m, a, &v), fn);
            return OrtEnvironment.TakeString(a, v, nameof(OrtNative.AllocatorFree));
        }
        var producer = Str(&OrtNative.ModelMetadataGetProducerName, raw, a, nameof(OrtNative.ModelMetadataGetProducerName));
        var graph = Str(&OrtNative.ModelMetadataGetGraphName, raw, a, nameof(OrtNative.ModelMetadataGetGraphName));
        var domain = Str(&OrtNative.ModelMetadataGetDomain, raw, a, nameof(OrtNative.ModelMetadataGetDomain));
        var description = Str(&OrtNative.ModelMetadataGetDescription, raw, a, nameof(OrtNative.ModelMetadataGetDescription));
        long version;
        OrtStatus.Check(OrtNative.ModelMetadataGetVersion(raw, &version), nameof(OrtNative.ModelMetadataGetVersion));

        byte** keys;
        long n;
        OrtStatus.Check(OrtNative.ModelMetadataGetCustomMetadataMapKeys(raw, a, &keys, &n), nameof(OrtNative.ModelMetadataGetCustomMetadataMapKeys));
        var custom = new SortedDictionary<string, string>(StringComparer.Ordinal);
        try
        {
            for (var i = 0; i < n; i++)
            {
                byte* value;
                OrtStatus.Check(OrtNative.ModelMetadataLookupCustomMetadataMap(raw, a, keys[i], &value), nameof(OrtNative.ModelMetadataLookupCustomMetadataMap));
                custom[Marshal.PtrToStringUTF8((nint)keys[i])!] = OrtEnvironment.TakeString(a, value, nameof(OrtNative.AllocatorFree));
            }
        }
        finally
        {
            // Keys and the array holding them all come from the allocator (ORT documents this).
            if (keys != null)
            {
                for (var i = 0; i < n; i++) OrtStatus.Check(OrtNative.AllocatorFree(a, keys[i]), nameof(OrtNative.AllocatorFree));
                OrtStatus.Check(OrtNative.AllocatorFree(a, keys), nameof(OrtNative.AllocatorFree));
            }
        }
        return new OrtModelMetadata(producer, graph, domain, description, version, custom);
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Mlsh.OnnxRuntime.Interop;

namespace Mlsh.OnnxRuntime;

/// <summary>
/// A session's inputs and outputs bound once to preallocated, pinned float buffers, with ORT tensors
/// created over them: write <see cref="Input"/>, call <see cref="Run"/>, read <see cref="Output"/>.
/// <see cref="Run"/> allocates no managed memory (ORT writes the outputs in place, into the tensors
/// passed to <c>OrtApi::Run</c>). Owns its tensors and native name tables and holds a reference on
/// the session until disposed. Not thread-safe: one binding per thread.
/// </summary>
public sealed unsafe class OrtBinding : IDisposable
{
    private readonly OrtSession _session;
    private readonly float[][] _inputs;
    private readonly float[][] _outputs;
    private readonly OrtValueHandle[] _values;
    // The arrays handed to OrtApi::Run (UTF-8 names, name pointers, OrtValue* in graph order) live on
    // the pinned object heap: fixed addresses without native allocations that could leak.
    // DESIGN: IoBinding (RunWithBinding) was rejected: Run with preallocated outputs already writes in
    // place and allocates nothing, with one C call and no extra ORT object to own.
    private readonly byte[][] _names;
    private readonly nint[] _nameTable;
    private readonly nint[] _valueTable;
    private readonly byte** _inputNames;
    private readonly byte** _outputNames;
    private readonly nint* _inputValues;
    private readonly nint* _outputValues;
    private bool _sessionRef;
    private bool _disposed;

    public int BatchSize { get; }
    public IReadOnlyList<OrtTensorInfo> Inputs => _session.Inputs;
    public IReadOnlyList<OrtTensorInfo> Outputs => _session.Outputs;

    internal OrtBinding(OrtSession session, int batchSize)
    {
        _session = session;
        BatchSize = batchSize;
        var nIn = session.Inputs.Count;
        var nOut = session.Outputs.Count;
        _inputs = new float[nIn][];
        _outputs = new float[nOut][];
        _values = new OrtValueHandle[nIn + nOut];
        _names = new byte[nIn + nOut][];
        _nameTable = GC.AllocateArray<nint>(nIn + nOut + 1, pinned: true);
        _valueTable = GC.AllocateArray<nint>(nIn + nOut + 1, pinned: true);
        var names = (nint*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_nameTable));
        var values = (nint*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_valueTable));
        _inputNames = (byte**)names;
        _outputNames = (byte**)(names + nIn);
        _inputValues = values;
        _outputValues = values + nIn;
        try
        {
            session.Handle.DangerousAddRef(ref _sessionRef);
            for (var i = 0; i < nIn; i++)
                _inputs[i] = Allocate(session.Inputs[i], i);
            for (var i = 0; i < nOut; i++)
                _outputs[i] = Allocate(session.Outputs[i], nIn + i);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Input <paramref name="index"/>'s buffer, row-major <c>[batch, ...]</c>. Valid until disposed.</summary>
    public Span<float> Input(int index = 0) => _inputs[index];

    /// <summary>Output <paramref name="index"/>'s buffer, overwritten by each <see cref="Run"/>.</summary>
    public ReadOnlySpan<float> Output(int index = 0) => _outputs[index];

    /// <summary>Runs the model on the current input buffers. <exception cref="OrtException">ORT failed.</exception></summary>
    public void Run()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        OrtStatus.Check(
            OrtNative.Run(_session.Handle.DangerousGetHandle(), 0,
                _inputNames, _inputValues, (nuint)_inputs.Length,
                _outputNames, (nuint)_outputs.Length, _outputValues),
            nameof(OrtNative.Run));
    }

    private float[] Allocate(OrtTensorInfo info, int slot)
    {
        if (info.ElementType != OrtElementType.Float)
            throw new NotSupportedException($"{_session.Source}: '{info.Name}' is {info.ElementType} {info.ShapeText}; OrtBinding binds float tensors only");
        var shape = new long[info.Shape.Length];
        for (var d = 0; d < shape.Length; d++)
        {
            if (info.Shape[d] >= 0) shape[d] = info.Shape[d];
            else if (d == 0) shape[d] = BatchSize;
            else throw new NotSupportedException($"{_session.Source}: '{info.Name}' {info.ShapeText} has symbolic dimension {d}; only the leading (batch) dimension may be symbolic");
        }
        var count = shape.Aggregate(1L, (a, b) => checked(a * b));
        // Pinned-object-heap array: it never moves, so ORT may keep the raw pointer for our lifetime.
        var buffer = GC.AllocateArray<float>(checked((int)count), pinned: true);

        var name = GC.AllocateArray<byte>(Encoding.UTF8.GetByteCount(info.Name) + 1, pinned: true);
        Encoding.UTF8.GetBytes(info.Name, name);
        _names[slot] = name;
        _nameTable[slot] = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(name));

        var cpu = OrtEnvironment.Cpu;
        nint value;
        fixed (long* s = shape)
            OrtStatus.Check(OrtNative.CreateTensorWithDataAsOrtValue(cpu.DangerousGetHandle(),
                Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer)), (nuint)(count * sizeof(float)),
                s, (nuint)shape.Length, (int)OrtElementType.Float, &value), nameof(OrtNative.CreateTensorWithDataAsOrtValue));
        _values[slot] = new OrtValueHandle(value, cpu, buffer);
        _valueTable[slot] = value;
        return buffer;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var v in _values) v?.Dispose();
        Array.Clear(_valueTable);
        if (_sessionRef) _session.Handle.DangerousRelease();
        _sessionRef = false;
    }
}

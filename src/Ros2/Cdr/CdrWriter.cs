using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Mlsh.Ros2.Cdr;

/// <summary>
/// Serializes one message as XCDR1 little-endian (PLAIN_CDR, encapsulation 0x00 0x01 0x00 0x00), the encoding
/// ROS 2's rmw_cyclonedds and rmw_fastrtps use. Primitives align to their own size (8 at most) relative to the
/// byte after the 4-byte encapsulation header; strings are a uint32 length that counts the trailing NUL;
/// sequences are a uint32 count then elements; fixed arrays are elements only.
/// </summary>
/// <remarks>
/// Owns a growable buffer: after the largest message has been written once (warm-up), writing allocates
/// nothing. Not thread-safe: one writer per publisher.
/// </remarks>
public sealed class CdrWriter
{
    public const int HeaderSize = 4;
    private byte[] _buffer;
    private int _position;

    public CdrWriter(int initialCapacity = 256)
    {
        _buffer = new byte[Math.Max(initialCapacity, 64)];
        Reset();
    }

    /// <summary>Bytes written so far, encapsulation header included.</summary>
    public int Length => _position;

    /// <summary>The serialized message (header included); valid until the next <see cref="Reset"/>.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _position);

    internal byte[] Buffer => _buffer;

    /// <summary>Starts a new message: writes the XCDR1 little-endian encapsulation header.</summary>
    public void Reset()
    {
        _buffer[0] = 0x00;
        _buffer[1] = 0x01;
        _buffer[2] = 0x00;
        _buffer[3] = 0x00;
        _position = HeaderSize;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Reserve(int alignment, int size)
    {
        var pad = (-(_position - HeaderSize)) & (alignment - 1);
        var needed = _position + pad + size;
        if (needed > _buffer.Length) Grow(needed);
        if (pad != 0)
        {
            _buffer.AsSpan(_position, pad).Clear();
            _position += pad;
        }
        var span = _buffer.AsSpan(_position, size);
        _position += size;
        return span;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int needed)
    {
        var bigger = new byte[Math.Max(needed, _buffer.Length * 2)];
        _buffer.AsSpan(0, _position).CopyTo(bigger);
        _buffer = bigger;
    }

    public void WriteBool(bool value) => Reserve(1, 1)[0] = value ? (byte)1 : (byte)0;
    public void WriteByte(byte value) => Reserve(1, 1)[0] = value;
    public void WriteSByte(sbyte value) => Reserve(1, 1)[0] = unchecked((byte)value);
    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16LittleEndian(Reserve(2, 2), value);
    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2, 2), value);
    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4, 4), value);
    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4, 4), value);
    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8, 8), value);
    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8, 8), value);
    public void WriteFloat32(float value) => BinaryPrimitives.WriteSingleLittleEndian(Reserve(4, 4), value);
    public void WriteFloat64(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8, 8), value);

    /// <summary>Writes a CDR string (UTF-8, NUL-terminated, length prefix counts the NUL). Null is written as "".</summary>
    public void WriteString(string? value)
    {
        value ??= string.Empty;
        // ASCII (joint and frame names): length prefix and text in one reservation and one vectorized pass.
        var start = _position;
        var span = Reserve(4, 4 + value.Length + 1);
        if (System.Text.Ascii.FromUtf16(value, span[4..], out _) == System.Buffers.OperationStatus.Done)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)(value.Length + 1));
            span[^1] = 0;
            return;
        }
        _position = start; // not ASCII: undo (padding bytes are rewritten identically) and encode in two passes
        var byteCount = Encoding.UTF8.GetByteCount(value);
        WriteUInt32((uint)(byteCount + 1));
        var text = Reserve(1, byteCount + 1);
        Encoding.UTF8.GetBytes(value, text);
        text[byteCount] = 0;
    }

    /// <summary>Writes a bounded CDR string (string&lt;N&gt;); throws when the UTF-8 form is longer than the bound.</summary>
    public void WriteBoundedString(string? value, int bound, string field)
    {
        value ??= string.Empty;
        var byteCount = Encoding.UTF8.GetByteCount(value);
        if (byteCount > bound)
            throw new CdrException($"{field}: string is {byteCount} UTF-8 bytes, the message definition allows at most {bound}");
        WriteString(value);
    }

    /// <summary>Writes the uint32 element count that starts every sequence.</summary>
    public void WriteSequenceLength(int count) => WriteUInt32((uint)count);

    /// <summary>float64[] (sequence): count, then the elements aligned to 8 (no padding when empty).</summary>
    public void WriteFloat64Sequence(ReadOnlySpan<double> values)
    {
        WriteSequenceLength(values.Length);
        WriteFloat64Array(values);
    }

    /// <summary>float64[N] (fixed array): elements only.</summary>
    public void WriteFloat64Array(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty) return;
        var span = Reserve(8, values.Length * 8);
        if (BitConverter.IsLittleEndian)
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).CopyTo(span);
        else
            for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(span[(i * 8)..], values[i]);
    }

    /// <summary>Writes a checked fixed-size float64 array (e.g. a 3x3 covariance).</summary>
    public void WriteFloat64Array(double[] values, int expectedLength, string field)
    {
        if (values.Length != expectedLength)
            throw new CdrException($"{field}: float64[{expectedLength}] expected, the array has {values.Length} elements");
        WriteFloat64Array(values);
    }

    /// <summary>uint8[N] / octet[N] (fixed array): bytes only.</summary>
    public void WriteByteArray(ReadOnlySpan<byte> values, int expectedLength, string field)
    {
        if (values.Length != expectedLength)
            throw new CdrException($"{field}: uint8[{expectedLength}] expected, the array has {values.Length} elements");
        values.CopyTo(Reserve(1, values.Length));
    }

    public void WriteStringSequence(string[] values)
    {
        WriteSequenceLength(values.Length);
        foreach (var v in values) WriteString(v);
    }

    /// <summary>T[] of messages: count, then each element in order. A null element is an error.</summary>
    public void WriteMessageSequence<T>(T[] items, string field) where T : class, Messages.IRosMessage
    {
        WriteSequenceLength(items.Length);
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i] ?? throw new CdrException($"{field}[{i}] is null");
            item.Serialize(this);
        }
    }
}

using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Mlsh.Ros2.Cdr;

/// <summary>
/// Reads one serialized message produced by any ROS 2 RMW: PLAIN_CDR (XCDR1, alignment up to 8) or PLAIN_CDR2
/// (XCDR2, alignment up to 4), little-endian (Cyclone normalizes received samples to native byte order).
/// </summary>
/// <remarks>
/// Allocation-free in steady state: string readers return the caller's current string when the received bytes
/// spell the same text, and array readers reuse the caller's array when the length is unchanged. Truncated or
/// inconsistent input raises <see cref="CdrException"/> naming the field. Not thread-safe.
/// </remarks>
public sealed class CdrReader
{
    private byte[] _buffer = [];
    private int _length;
    private int _position;
    private int _maxAlign = 8;

    /// <summary>The buffer the next message is read from; grows as needed (allocates only on growth).</summary>
    internal byte[] EnsureCapacity(int length)
    {
        if (_buffer.Length < length) _buffer = new byte[Math.Max(length, _buffer.Length * 2)];
        return _buffer;
    }

    /// <summary>Starts reading <paramref name="length"/> bytes already placed in the buffer by <see cref="EnsureCapacity"/>.</summary>
    internal void Begin(int length)
    {
        _length = length;
        if (length < 4) throw new CdrException($"serialized message is {length} bytes, shorter than the 4-byte encapsulation header");
        var id = (_buffer[0] << 8) | _buffer[1];
        _maxAlign = id switch
        {
            0x0001 => 8, // CDR_LE (XCDR1)
            0x0007 => 4, // PLAIN_CDR2_LE (XCDR2)
            _ => throw new CdrException($"unsupported encapsulation 0x{id:x4}: expected 0x0001 (XCDR1 little-endian) or 0x0007 (XCDR2 little-endian)"),
        };
        _position = CdrWriter.HeaderSize;
    }

    /// <summary>Reads a whole message from <paramref name="cdr"/> (encapsulation header included).</summary>
    public void Begin(ReadOnlySpan<byte> cdr)
    {
        cdr.CopyTo(EnsureCapacity(cdr.Length));
        Begin(cdr.Length);
    }

    public int Remaining => _length - _position;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int alignment, int size)
    {
        var a = Math.Min(alignment, _maxAlign);
        var pos = _position + ((-(_position - CdrWriter.HeaderSize)) & (a - 1));
        if (size < 0 || pos + size > _length) ThrowTruncated(size);
        _position = pos + size;
        return _buffer.AsSpan(pos, size);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowTruncated(int size) =>
        throw new CdrException($"serialized message truncated: need {size} more bytes at offset {_position}, message is {_length} bytes");

    public bool ReadBool() => Take(1, 1)[0] != 0;
    public byte ReadByte() => Take(1, 1)[0];
    public sbyte ReadSByte() => unchecked((sbyte)Take(1, 1)[0]);
    public short ReadInt16() => BinaryPrimitives.ReadInt16LittleEndian(Take(2, 2));
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, 2));
    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4, 4));
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, 4));
    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8, 8));
    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, 8));
    public float ReadFloat32() => BinaryPrimitives.ReadSingleLittleEndian(Take(4, 4));
    public double ReadFloat64() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, 8));

    /// <summary>Reads a sequence length and checks it against the bytes left (each element takes at least <paramref name="minElementSize"/>).</summary>
    public int ReadSequenceLength(int minElementSize, string field)
    {
        var n = ReadUInt32();
        if (n > (uint)Remaining / (uint)Math.Max(minElementSize, 1))
            throw new CdrException($"{field}: sequence claims {n} elements but only {Remaining} bytes remain");
        return (int)n;
    }

    /// <summary>Reads a string, returning <paramref name="current"/> itself when the text is unchanged (no allocation).</summary>
    public string ReadString(string? current, string field)
    {
        var len = ReadUInt32();
        if (len == 0) return current is { Length: 0 } ? current : string.Empty; // tolerated: some writers omit the NUL of ""
        if (len > (uint)Remaining) throw new CdrException($"{field}: string of {len} bytes but only {Remaining} bytes remain");
        var bytes = Take(1, (int)len);
        if (bytes[^1] != 0) throw new CdrException($"{field}: string is not NUL-terminated");
        var text = bytes[..^1];
        if (current != null && Utf8Equals(text, current)) return current;
        return Encoding.UTF8.GetString(text);
    }

    private static bool Utf8Equals(ReadOnlySpan<byte> utf8, string s)
    {
        // ASCII bytes equal s only if s is the same ASCII text (a non-ASCII char never encodes to ASCII bytes).
        if (utf8.Length == s.Length && Ascii.Equals(utf8, s)) return true;
        if (Ascii.IsValid(utf8)) return false;
        // Non-ASCII text: compare by re-encoding into a stack buffer (rare: joint and frame names are ASCII).
        if (Encoding.UTF8.GetByteCount(s) != utf8.Length) return false;
        Span<byte> tmp = utf8.Length <= 512 ? stackalloc byte[utf8.Length] : new byte[utf8.Length];
        Encoding.UTF8.GetBytes(s, tmp);
        return tmp.SequenceEqual(utf8);
    }

    /// <summary>Reads float64[] into <paramref name="current"/> when the length matches, else into a new array.</summary>
    public double[] ReadFloat64Sequence(double[] current, string field)
    {
        var n = ReadSequenceLength(8, field);
        var target = current.Length == n ? current : new double[n];
        ReadFloat64Array(target);
        return target;
    }

    /// <summary>Reads float64[N] (fixed array) into <paramref name="destination"/>.</summary>
    public void ReadFloat64Array(Span<double> destination)
    {
        if (destination.IsEmpty) return;
        var bytes = Take(8, destination.Length * 8);
        MemoryMarshal.Cast<byte, double>(bytes).CopyTo(destination);
    }

    /// <summary>Reads uint8[N] (fixed array) into <paramref name="destination"/>.</summary>
    public void ReadByteArray(Span<byte> destination) => Take(1, destination.Length).CopyTo(destination);

    /// <summary>Reads string[]; unchanged element strings and an unchanged count allocate nothing.</summary>
    public string[] ReadStringSequence(string[] current, string field)
    {
        var n = ReadSequenceLength(4, field);
        var target = current.Length == n ? current : new string[n];
        for (var i = 0; i < n; i++)
        {
            var previous = i < current.Length ? current[i] : null;
            var text = ReadString(previous, field);
            if (!ReferenceEquals(text, previous) || !ReferenceEquals(target, current)) target[i] = text; // unchanged: no store
        }
        return target;
    }

    /// <summary>Reads T[] of messages, reusing the array and its element objects when the count is unchanged.</summary>
    public T[] ReadMessageSequence<T>(T[] current, int minElementSize, string field) where T : class, Messages.IRosMessage, new()
    {
        var n = ReadSequenceLength(minElementSize, field);
        var target = current;
        if (current.Length != n)
        {
            target = new T[n];
            Array.Copy(current, target, Math.Min(n, current.Length));
        }
        for (var i = 0; i < n; i++)
        {
            var item = target[i] ??= new T();
            item.Deserialize(this);
        }
        return target;
    }
}

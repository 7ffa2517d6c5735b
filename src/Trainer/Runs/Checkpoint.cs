using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Mlsh.Core.IO;

namespace Mlsh.Trainer.Runs;

/// <summary>
/// The checkpoint container: <c>"MLSHCKPT"</c>, format version (u32), payload length (u64), payload,
/// SHA-256 of the payload. The payload is a sequence of named sections so that a reader built for a
/// different layout fails with the section's name instead of misreading numbers.
/// Version 2 adds one block of state per MPI rank (the rank's task and master); version 1 files (one
/// process's state) are still read, and the trainer decides what it can continue from them.
/// </summary>
/// <remarks>
/// DESIGN: a whole-file checksum (rather than per-array CRCs) because a checkpoint is only ever read
/// whole, at resume; any flipped byte anywhere must reject it before a single value is used.
/// Written through <see cref="AtomicFile"/>: a kill -9 mid-write leaves the previous checkpoint.
/// </remarks>
public static class Checkpoint
{
    /// <summary>The version <see cref="Write"/> writes.</summary>
    public const uint FormatVersion = 2;
    /// <summary>The oldest version <see cref="Open"/> still reads.</summary>
    public const uint OldestReadableVersion = 1;
    private static ReadOnlySpan<byte> Magic => "MLSHCKPT"u8;
    private const int HeaderSize = 8 + 4 + 8;
    private const int HashSize = 32;

    /// <summary>Serializes <paramref name="body"/>'s sections and writes the file atomically.</summary>
    public static void Write(string path, Action<CheckpointWriter> body)
    {
        var bytes = Serialize(body);
        var file = new byte[HeaderSize + bytes.Length + HashSize];
        Magic.CopyTo(file);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(8), FormatVersion);
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(12), (ulong)bytes.Length);
        bytes.CopyTo(file.AsSpan(HeaderSize));
        SHA256.HashData(bytes, file.AsSpan(HeaderSize + bytes.Length));
        AtomicFile.WriteAllBytes(path, file);
    }

    /// <summary>Reads and verifies the file; throws <see cref="CheckpointException"/> naming it when it is
    /// missing, truncated, corrupted or of another format version.</summary>
    public static CheckpointReader Open(string path) => Parse(path, ReadBytes(path));

    /// <summary>Sections written by <paramref name="body"/>, without header or checksum: a block that
    /// <see cref="CheckpointWriter.Block"/> embeds in a checkpoint (e.g. one MPI rank's state).</summary>
    public static byte[] Serialize(Action<CheckpointWriter> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var payload = new MemoryStream();
        using (var writer = new CheckpointWriter(payload)) body(writer);
        return payload.ToArray();
    }

    /// <summary>The raw bytes of the file at <paramref name="path"/>, unverified.</summary>
    /// <exception cref="CheckpointException">the file cannot be read.</exception>
    public static byte[] ReadBytes(string path)
    {
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(path, $"cannot read checkpoint: {e.Message}", e);
        }
    }

    /// <summary>Verifies the bytes of a checkpoint file read elsewhere (on MPI rank 0, say) as
    /// <see cref="Open"/> does; <paramref name="path"/> names the file in errors.</summary>
    public static CheckpointReader Parse(string path, byte[] file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.Length < HeaderSize || !file.AsSpan(0, 8).SequenceEqual(Magic))
            throw new CheckpointException(path, $"not an Mlsh checkpoint (expected it to start with 'MLSHCKPT', file is {file.Length} bytes)");
        var version = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(8));
        if (version < OldestReadableVersion || version > FormatVersion)
            throw new CheckpointException(path, $"checkpoint format version {version}; this build reads versions {OldestReadableVersion} to {FormatVersion}");
        var length = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(12));
        var expected = (ulong)HeaderSize + length + HashSize;
        if ((ulong)file.Length != expected)
            throw new CheckpointException(path, $"truncated or padded checkpoint: header announces {expected} bytes, file has {file.Length}");
        var payload = file.AsMemory(HeaderSize, (int)length);
        Span<byte> hash = stackalloc byte[HashSize];
        SHA256.HashData(payload.Span, hash);
        if (!hash.SequenceEqual(file.AsSpan(HeaderSize + (int)length, HashSize)))
            throw new CheckpointException(path, "corrupted checkpoint: SHA-256 of the payload does not match the stored checksum");
        return new CheckpointReader(path, version, payload);
    }
}

/// <summary>Writes checkpoint sections (little-endian). Single-use, single-threaded.</summary>
public sealed class CheckpointWriter : IDisposable
{
    private readonly BinaryWriter _w;

    internal CheckpointWriter(Stream stream) => _w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);

    /// <summary>Starts a named section; the reader must ask for the same name at the same place.</summary>
    public void Section(string name) => _w.Write(name);
    public void Int(int v) => _w.Write(v);
    public void Long(long v) => _w.Write(v);
    public void ULong(ulong v) => _w.Write(v);
    public void Double(double v) => _w.Write(v);
    public void String(string v) => _w.Write(v);
    public void Bool(bool v) => _w.Write(v);

    public void Floats(ReadOnlySpan<float> v)
    {
        _w.Write(v.Length);
        _w.Write(MemoryMarshal.AsBytes(v));
    }

    public void Doubles(ReadOnlySpan<double> v)
    {
        _w.Write(v.Length);
        _w.Write(MemoryMarshal.AsBytes(v));
    }

    public void ULongs(ReadOnlySpan<ulong> v)
    {
        _w.Write(v.Length);
        _w.Write(MemoryMarshal.AsBytes(v));
    }

    public void Ints(ReadOnlySpan<int> v)
    {
        _w.Write(v.Length);
        _w.Write(MemoryMarshal.AsBytes(v));
    }

    /// <summary>A length-prefixed block of sections made by <see cref="Checkpoint.Serialize"/>; read back
    /// with <see cref="CheckpointReader.Block"/>.</summary>
    public void Block(ReadOnlySpan<byte> sections)
    {
        _w.Write(sections.Length);
        _w.Write(sections);
    }

    public void Dispose() => _w.Dispose();
}

/// <summary>Reads a verified checkpoint's sections; every mismatch is a <see cref="CheckpointException"/>
/// naming the file and the section. Single-threaded.</summary>
public sealed class CheckpointReader
{
    private readonly ReadOnlyMemory<byte> _payload;
    private int _pos;
    private string _section = "(start)";

    internal CheckpointReader(string file, uint version, ReadOnlyMemory<byte> payload)
    {
        File = file;
        Version = version;
        _payload = payload;
    }

    public string File { get; }
    /// <summary>The file's format version (<see cref="Checkpoint.OldestReadableVersion"/> to <see cref="Checkpoint.FormatVersion"/>).</summary>
    public uint Version { get; }

    /// <summary>A reader over the next <see cref="CheckpointWriter.Block"/>; errors inside it name this file
    /// and the block's own sections.</summary>
    public CheckpointReader Block()
    {
        var n = Int();
        if (n < 0 || n > _payload.Length - _pos) throw Fail($"bad block length {n}");
        var block = _payload.Slice(_pos, n);
        _pos += n;
        return new CheckpointReader(File, Version, block);
    }

    public void Section(string name)
    {
        var found = String();
        if (found != name) throw Fail($"expected section '{name}', found '{found}' (checkpoint written by a different trainer layout)");
        _section = name;
    }

    public int Int() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
    public long Long() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));
    public ulong ULong() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
    public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));
    public bool Bool() => Take(1)[0] != 0;

    public string String()
    {
        // BinaryWriter's 7-bit encoded length prefix.
        var length = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (shift > 28) throw Fail("malformed string length");
            var b = Take(1)[0];
            length |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) break;
        }
        return Encoding.UTF8.GetString(Take(length));
    }

    public void Floats(Span<float> destination) => ReadArray(destination, "floats");
    public void Doubles(Span<double> destination) => ReadArray(destination, "doubles");
    public void ULongs(Span<ulong> destination) => ReadArray(destination, "integers");
    public void Ints(Span<int> destination) => ReadArray(destination, "integers");

    /// <summary>Reads a length-prefixed int array of any length.</summary>
    public int[] IntArray()
    {
        var n = Int();
        if (n < 0 || n > (_payload.Length - _pos) / 4) throw Fail($"bad array length {n}");
        var a = new int[n];
        MemoryMarshal.Cast<byte, int>(Take(n * 4)).CopyTo(a);
        return a;
    }

    /// <summary>True when every byte was consumed (a reader that stops early read another layout).</summary>
    public void EnsureEnd()
    {
        if (_pos != _payload.Length) throw Fail($"{_payload.Length - _pos} unread bytes after the last section");
    }

    private void ReadArray<T>(Span<T> destination, string what) where T : unmanaged
    {
        var n = Int();
        if (n != destination.Length) throw Fail($"expected {destination.Length} {what}, found {n} (network shapes differ from the config)");
        Take(n * System.Runtime.CompilerServices.Unsafe.SizeOf<T>()).CopyTo(MemoryMarshal.AsBytes(destination));
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || _pos + count > _payload.Length) throw Fail("unexpected end of payload");
        var s = _payload.Span.Slice(_pos, count);
        _pos += count;
        return s;
    }

    private CheckpointException Fail(string problem) => new(File, $"section '{_section}': {problem}");
}

using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mlsh.Runtime.Operator;

/// <summary>
/// The operators' corrections as labelled data: one JSON object per line (JSONL), appended at every master tick during
/// which an operator override replaced the master's choice:
/// <c>{"utc":"…","cycle":N,"master_choice":m,"operator_choice":k,"operator":"ana"|null,"observation":[…]}</c>.
/// The observation is the master's input at that tick; <c>./mlsh retune --corrections</c> trains the master on
/// (observation → operator_choice) (DAgger: the labels come from states the deployed master itself reached).
/// </summary>
/// <remarks>
/// DESIGN: append-only (one node writes it), each line built in memory and written with one call and flushed, instead
/// of rewriting the file atomically: the log grows for a whole shift and each line is complete on its own; a torn last
/// line (power cut) is skipped by readers. Runs on the node's supervisor thread, never the control thread. Thread-safe.
/// </remarks>
public sealed class OverrideLog : IDisposable
{
    private readonly FileStream _stream;
    private readonly object _gate = new();
    private string? _operator;

    /// <summary>Opens (creating if needed) the log for appending.</summary>
    public OverrideLog(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        var dir = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        _stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
    }

    public string Path { get; }

    /// <summary>Lines appended since open.</summary>
    public long Count { get; private set; }

    /// <summary>Who issued the current override (from its command; null when not given). Any thread.</summary>
    public string? Operator
    {
        get => Volatile.Read(ref _operator);
        set => Volatile.Write(ref _operator, value);
    }

    /// <summary>Appends one correction.</summary>
    public void Append(long cycle, int masterChoice, int operatorChoice, ReadOnlySpan<double> observation, DateTime utc)
    {
        var buffer = new MemoryStream(64 + observation.Length * 12);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("utc", utc.ToString("O", CultureInfo.InvariantCulture));
            w.WriteNumber("cycle", cycle);
            w.WriteNumber("master_choice", masterChoice);
            w.WriteNumber("operator_choice", operatorChoice);
            if (Operator is { } who) w.WriteString("operator", who);
            else w.WriteNull("operator");
            w.WriteStartArray("observation");
            foreach (var v in observation) w.WriteNumberValue((float)v);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        lock (_gate)
        {
            _stream.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            _stream.Flush(flushToDisk: false);
            Count++;
        }
    }

    public void Dispose()
    {
        lock (_gate) _stream.Dispose();
    }

    /// <summary>Encoding of the log (UTF-8 without BOM), for readers.</summary>
    public static Encoding Encoding { get; } = new UTF8Encoding(false);
}

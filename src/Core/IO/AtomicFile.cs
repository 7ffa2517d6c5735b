using System.Text;

namespace Mlsh.Core.IO;

/// <summary>
/// Writes files so that a reader (or a crash) sees either the old content or the new one, never a
/// torn mixture: write a sibling temp file, flush it to disk, then rename over the target.
/// </summary>
public static class AtomicFile
{
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                fs.Write(content);
                // DESIGN: Flush(true) is fsync; without it a power cut after the rename can leave a
                // zero-length file under the final name on ext4 with delayed allocation.
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    public static void WriteAllText(string path, string content) =>
        WriteAllBytes(path, Encoding.UTF8.GetBytes(content));

    /// <summary>Writes through a stream callback, for large payloads (checkpoints).</summary>
    public static void Write(string path, Action<Stream> writer)
    {
        using var ms = new MemoryStream();
        writer(ms);
        WriteAllBytes(path, ms.GetBuffer().AsSpan(0, (int)ms.Length));
    }
}

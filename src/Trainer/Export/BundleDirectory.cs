using Mlsh.Core.Configuration;
using Mlsh.Onnx.Manifest;

namespace Mlsh.Trainer.Export;

/// <summary>
/// Replaces a models/&lt;name&gt; bundle directory as a whole: the new bundle is written into a hidden
/// sibling staging directory, checked, and only then renamed into place, so a failed or interrupted export
/// never leaves a half-written bundle under the target name. An existing target is replaced only when it
/// is an Mlsh ONNX bundle (a manifest.yaml and *.onnx files, nothing else) or empty: anything else is the
/// user's data and the export refuses. Not safe for two exports into the same target at once.
/// </summary>
/// <remarks>
/// DESIGN: rename-the-old-aside then rename-the-new-in rather than deleting the old first: between the two
/// renames the target name is briefly absent (a reader gets "not found", never a mixture), and if the second
/// rename fails the old bundle is renamed back. An atomic exchange (renameat2 RENAME_EXCHANGE) was rejected
/// as Linux-only native code for a window of two syscalls.
/// </remarks>
public static class BundleDirectory
{
    /// <summary>Writes a bundle through <paramref name="write"/> (given an empty staging directory) and moves
    /// it to <paramref name="target"/>, replacing a previous bundle there.</summary>
    /// <exception cref="ConfigException">The target exists and is not an Mlsh bundle, or is a file.</exception>
    public static T Replace<T>(string target, Func<string, T> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(target.TrimEnd('/', '\\'));
        CheckReplaceable(full, target);
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(full)}.export-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            var result = write(staging);
            // The staged bundle must read back as a complete manifest before it may replace anything.
            ManifestYaml.Load(Path.Combine(staging, ManifestYaml.FileName));
            Swap(staging, full);
            return result;
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>True when <paramref name="directory"/> holds a manifest.yaml and otherwise only *.onnx files.</summary>
    public static bool IsBundle(string directory)
    {
        if (!Directory.Exists(directory)) return false;
        if (Directory.EnumerateDirectories(directory).Any()) return false;
        var names = Directory.EnumerateFiles(directory).Select(Path.GetFileName).ToList();
        return names.Contains(ManifestYaml.FileName) &&
               names.All(n => n == ManifestYaml.FileName || n!.EndsWith(".onnx", StringComparison.Ordinal));
    }

    private static void CheckReplaceable(string full, string given)
    {
        if (File.Exists(full))
            throw new ConfigException("--out names a file; expected a models directory (e.g. models/quadruped)", given);
        if (!Directory.Exists(full) || !Directory.EnumerateFileSystemEntries(full).Any() || IsBundle(full)) return;
        var found = Directory.EnumerateFileSystemEntries(full).Select(Path.GetFileName).Order(StringComparer.Ordinal).Take(5);
        throw new ConfigException(
            $"--out exists and is not an Mlsh models directory (expected {ManifestYaml.FileName} and *.onnx files only, found: {string.Join(", ", found)}); choose another --out or remove it",
            given);
    }

    private static void Swap(string staging, string target)
    {
        if (!Directory.Exists(target))
        {
            Directory.Move(staging, target);
            return;
        }
        var aside = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.old-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.Move(target, aside);
        try
        {
            Directory.Move(staging, target);
        }
        catch
        {
            Directory.Move(aside, target);
            throw;
        }
        Directory.Delete(aside, recursive: true);
    }
}

using Mlsh.Core.Configuration;
using Mlsh.Onnx.Manifest;

namespace Mlsh.Trainer.Export;

/// <summary>
/// Replaces a models/&lt;name&gt; bundle directory as a whole: the new bundle is written into a hidden
/// sibling staging directory, checked, and only then renamed into place, so a failed or interrupted export
/// never leaves a half-written bundle under the target name. An existing target is replaced only when it
/// holds nothing but what an export or a retune writes (<see cref="Contents"/>) or is empty: anything else is the
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

    /// <summary>What a bundle directory may hold, for messages.</summary>
    public const string Contents = "manifest.yaml, *.onnx, models.yaml, subpolicy-*.bin, master.bin, metrics.jsonl, plots/*.svg";

    /// <summary>True when <paramref name="directory"/> holds a manifest.yaml and otherwise only files an export or a
    /// retune writes (<see cref="Contents"/>): ONNX models, the trainer's networks, a retune's metrics and plots.</summary>
    public static bool IsBundle(string directory) =>
        Directory.Exists(directory) && File.Exists(Path.Combine(directory, ManifestYaml.FileName)) && HoldsOnlyBundleFiles(directory);

    /// <summary>Throws unless <paramref name="target"/> may be replaced by a bundle: absent, empty, or a bundle (also
    /// one being written by a retune: its files but no manifest yet). Call before a long job that ends in
    /// <see cref="Replace{T}"/>, so a wrong --out fails at once.</summary>
    /// <exception cref="ConfigException">The target is a file or holds anything else.</exception>
    public static void CheckReplaceable(string target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        CheckReplaceable(Path.GetFullPath(target.TrimEnd('/', '\\')), target);
    }

    private static bool HoldsOnlyBundleFiles(string directory)
    {
        foreach (var sub in Directory.EnumerateDirectories(directory))
        {
            if (Path.GetFileName(sub) != "plots" || Directory.EnumerateDirectories(sub).Any()) return false;
            if (!Directory.EnumerateFiles(sub).All(f => f.EndsWith(".svg", StringComparison.Ordinal))) return false;
        }
        return Directory.EnumerateFiles(directory).Select(Path.GetFileName).All(n =>
            n is ManifestYaml.FileName or "models.yaml" or "master.bin" or "metrics.jsonl" ||
            n!.EndsWith(".onnx", StringComparison.Ordinal) ||
            (n.StartsWith("subpolicy-", StringComparison.Ordinal) && n.EndsWith(".bin", StringComparison.Ordinal)));
    }

    private static void CheckReplaceable(string full, string given)
    {
        if (File.Exists(full))
            throw new ConfigException("--out names a file; expected a models directory (e.g. models/quadruped)", given);
        if (!Directory.Exists(full) || !Directory.EnumerateFileSystemEntries(full).Any() || HoldsOnlyBundleFiles(full)) return;
        var found = Directory.EnumerateFileSystemEntries(full).Select(Path.GetFileName).Order(StringComparer.Ordinal).Take(5);
        throw new ConfigException(
            $"--out exists and is not an Mlsh models directory (expected only {Contents}, found: {string.Join(", ", found)}); choose another --out or remove it",
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

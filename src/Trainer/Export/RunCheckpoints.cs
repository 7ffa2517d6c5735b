using System.Globalization;
using Mlsh.Core.Configuration;
using Mlsh.Trainer.Runs;

namespace Mlsh.Trainer.Export;

/// <summary>One checkpoint file of a run directory and the training position it holds.</summary>
/// <param name="File">Absolute path of the checkpoint file.</param>
/// <param name="Iteration">Training iterations completed when it was written (what <c>--checkpoint K</c> selects).</param>
/// <param name="EnvSteps">Environment steps (this process) completed when it was written.</param>
public sealed record RunCheckpoint(string File, int Iteration, long EnvSteps);

/// <summary>
/// Finds the checkpoints of a training run: <c>checkpoint.bin</c> (the latest, which `mlsh train` replaces
/// atomically every checkpoint_every iterations) and any kept copy named <c>checkpoint-&lt;anything&gt;.bin</c>
/// beside it. A checkpoint is identified by the iteration stored inside it, never by its file name, so a
/// renamed copy cannot lie about what it holds. Stateless and thread-safe.
/// </summary>
/// <remarks>
/// DESIGN: only the "trainer" header section is read here (iteration and env steps, after the container's
/// checksum has been verified); the networks are restored by <see cref="MlshTrainer"/>-owned code in
/// <see cref="TrainedHierarchy"/>, so the section layout of the networks stays defined in one place.
/// </remarks>
public static class RunCheckpoints
{
    public const string LatestFile = "checkpoint.bin";
    public const string KeptPattern = "checkpoint-*.bin";

    /// <summary>Every checkpoint of <paramref name="runDirectory"/>, oldest iteration first.</summary>
    /// <exception cref="ConfigException">The directory is missing, or a checkpoint file is truncated,
    /// corrupted or of another format (the message names the file).</exception>
    public static IReadOnlyList<RunCheckpoint> List(string runDirectory)
    {
        var dir = Path.GetFullPath(runDirectory);
        if (!Directory.Exists(dir))
            throw new ConfigException($"run directory not found (expected a directory written by `mlsh train --out {runDirectory}`)", dir);
        var files = Directory.GetFiles(dir, KeptPattern).Order(StringComparer.Ordinal).ToList();
        var latest = Path.Combine(dir, LatestFile);
        if (File.Exists(latest)) files.Insert(0, latest);
        return files.Select(ReadHeader).OrderBy(c => c.Iteration).ThenBy(c => c.File, StringComparer.Ordinal).ToArray();
    }

    /// <summary>The checkpoint at iteration <paramref name="iteration"/>, or the latest when null.</summary>
    /// <exception cref="ConfigException">No checkpoint at all, or none at that iteration (the message lists the
    /// available iterations), or a checkpoint file is unreadable.</exception>
    public static RunCheckpoint Select(string runDirectory, int? iteration)
    {
        var all = List(runDirectory);
        var dir = Path.GetFullPath(runDirectory);
        if (all.Count == 0)
            throw new ConfigException($"no checkpoint in the run directory (expected {LatestFile}, written every checkpoint_every iterations by `mlsh train`)", dir);
        if (iteration is null) return all[^1];
        var hit = all.FirstOrDefault(c => c.Iteration == iteration.Value);
        if (hit is not null) return hit;
        var available = string.Join(", ", all.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Iteration} ({Path.GetFileName(c.File)})")));
        throw new ConfigException($"--checkpoint {iteration.Value}: no checkpoint at iteration {iteration.Value}; available: {available}", dir);
    }

    private static RunCheckpoint ReadHeader(string file)
    {
        try
        {
            var r = Checkpoint.Open(file);
            r.Section("trainer");
            _ = r.String(); // config fingerprint, checked when the networks are restored
            var iteration = r.Int();
            _ = r.Int();    // round
            _ = r.Int();    // iteration within the round
            _ = r.Int();    // current task
            var envSteps = r.Long();
            return new RunCheckpoint(file, iteration, envSteps);
        }
        catch (CheckpointException e)
        {
            // One line for the CLI: the checkpoint's own message already names the file.
            throw new ConfigException(e.Message, inner: e);
        }
    }
}

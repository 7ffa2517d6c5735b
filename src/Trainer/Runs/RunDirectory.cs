using System.Text;
using Mlsh.Core.IO;
using Mlsh.Trainer.Diagnostics;

namespace Mlsh.Trainer.Runs;

/// <summary>
/// One training run on disk:
/// <c>config.yaml</c> (the resolved config), <c>metrics.jsonl</c> (one line per iteration),
/// <c>checkpoint.bin</c> (latest state, replaced atomically), <c>plots/*.svg</c> (learning curves) and
/// <c>models/</c> (the trained networks for eval, retune and export).
/// </summary>
/// <remarks>Owned by rank 0 of a run; single-threaded. Metrics lines are appended and flushed one at a
/// time, so a kill -9 loses at most the line being written; <see cref="TruncateMetricsTo"/> drops lines
/// of iterations the resumed checkpoint did not see.</remarks>
public sealed class RunDirectory
{
    public RunDirectory(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }
    public string ConfigFile => System.IO.Path.Combine(Path, "config.yaml");
    public string MetricsFile => System.IO.Path.Combine(Path, "metrics.jsonl");
    public string CheckpointFile => System.IO.Path.Combine(Path, "checkpoint.bin");
    public string PlotsDirectory => System.IO.Path.Combine(Path, "plots");
    public string ModelsDirectory => System.IO.Path.Combine(Path, "models");

    public bool HasCheckpoint => File.Exists(CheckpointFile);

    public void WriteConfig(string yaml) => AtomicFile.WriteAllText(ConfigFile, yaml);

    /// <summary>Appends one metrics line and flushes it to the OS.</summary>
    public void AppendMetrics(IterationMetrics m)
    {
        using var fs = new FileStream(MetricsFile, FileMode.Append, FileAccess.Write, FileShare.Read);
        var bytes = Encoding.UTF8.GetBytes(m.ToJsonLine() + "\n");
        fs.Write(bytes);
    }

    /// <summary>Every parseable metrics line, in file order (a torn last line from a crash is skipped).</summary>
    public List<IterationMetrics> ReadMetrics()
    {
        var list = new List<IterationMetrics>();
        if (!File.Exists(MetricsFile)) return list;
        foreach (var line in File.ReadLines(MetricsFile))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            try { list.Add(IterationMetrics.FromJsonLine(line)); }
            catch (System.Text.Json.JsonException) { /* torn line from a kill mid-write */ }
            catch (KeyNotFoundException) { }
        }
        return list;
    }

    /// <summary>Keeps only iterations below <paramref name="iteration"/> (resume from a checkpoint taken there).</summary>
    public List<IterationMetrics> TruncateMetricsTo(int iteration)
    {
        var kept = ReadMetrics().Where(m => m.Iteration < iteration).ToList();
        AtomicFile.WriteAllText(MetricsFile, string.Concat(kept.Select(m => m.ToJsonLine() + "\n")));
        return kept;
    }

    /// <summary>Regenerates the learning-curve SVGs (return, success rate, skill usage, diversity) from the metrics so far.</summary>
    public void WritePlots(IReadOnlyList<IterationMetrics> metrics, string runName)
    {
        Directory.CreateDirectory(PlotsDirectory);
        var x = metrics.Select(m => (double)m.EnvSteps).ToArray();
        ChartSeries S(string name, Func<IterationMetrics, double> f) => new(name, x, metrics.Select(f).ToArray());
        const string xLabel = "environment steps";
        SvgLineChart.Write(System.IO.Path.Combine(PlotsDirectory, "return.svg"), $"{runName}: episode return", xLabel, "mean return",
            [S("all iterations", m => m.MeanReturn), S("joint/flat only", m => m.Phase == "warmup" ? double.NaN : m.MeanReturn)]);
        SvgLineChart.Write(System.IO.Path.Combine(PlotsDirectory, "success.svg"), $"{runName}: success rate", xLabel, "success rate",
            [S("success rate", m => m.SuccessRate)]);
        var k = metrics.Count == 0 ? 0 : metrics.Max(m => m.SkillUsage.Length);
        var usage = Enumerable.Range(0, k).Select(i => S($"sub-policy {i}", m => i < m.SkillUsage.Length ? m.SkillUsage[i] : double.NaN)).ToList();
        SvgLineChart.Write(System.IO.Path.Combine(PlotsDirectory, "skill_usage.svg"), $"{runName}: skill usage", xLabel, "fraction of macro steps", usage);
        SvgLineChart.Write(System.IO.Path.Combine(PlotsDirectory, "diversity.svg"), $"{runName}: skill diversity", xLabel, "",
            [S("spread (1 − |mean direction|)", m => m.SkillSpread), S("mean pairwise cosine", m => m.SkillCosine)]);
    }
}

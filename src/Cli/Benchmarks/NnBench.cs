using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Mlsh.Core;
using Mlsh.NeuralNets;
using Mlsh.NeuralNets.Policies;
using Mlsh.Trainer.Ppo;

namespace Mlsh.Cli.Benchmarks;

/// <summary>
/// `./mlsh bench nn`: one PPO update (epochs × minibatches of forward, backward, clipping, Adam) for an
/// MLSH-sized Gaussian sub-policy and categorical master on a fixed batch, Mlsh.NeuralNets against
/// PyTorch running the same update on the same shapes (scripts/bench/nn_torch.py, /usr/bin/python3) in
/// the same invocation, with torch pinned to 1 thread (the C# update is single-threaded) and at its
/// default thread count. ratio_vs_torch = torch 1-thread time / C# time (&gt; 1: C# faster).
/// </summary>
public sealed class NnBench : IBench
{
    private readonly Option<int> _obs = new("--obs") { Description = "Observation width.", DefaultValueFactory = _ => 40 };
    private readonly Option<int> _batch = new("--batch") { Description = "Rows in the fixed rollout batch.", DefaultValueFactory = _ => 2048 };
    private readonly Option<int> _minibatch = new("--minibatch") { Description = "Rows per gradient step.", DefaultValueFactory = _ => 64 };
    private readonly Option<int> _epochs = new("--epochs") { Description = "Passes over the batch per update.", DefaultValueFactory = _ => 10 };
    private readonly Option<int> _repeats = new("--repeats") { Description = "Timed updates per side (median reported).", DefaultValueFactory = _ => 5 };
    private readonly Option<bool> _noTorch = new("--no-torch") { Description = "Skip the PyTorch reference." };

    private const int Joints = 8, SubPolicies = 4, Hidden = 64;

    public string Name => "nn";
    public string Description => "One PPO update for MLSH-sized networks: Mlsh.NeuralNets vs PyTorch (same shapes, same run).";
    public IEnumerable<Option> Options => [_obs, _batch, _minibatch, _epochs, _repeats, _noTorch];

    public int Run(ParseResult parse, bool json)
    {
        int obs = parse.GetValue(_obs), batch = parse.GetValue(_batch), minibatch = parse.GetValue(_minibatch);
        int epochs = parse.GetValue(_epochs), repeats = parse.GetValue(_repeats);
        if (obs < 1 || batch < 1 || minibatch < 1 || epochs < 1 || repeats < 1)
            throw new ArgumentOutOfRangeException(nameof(parse), $"--obs/--batch/--minibatch/--epochs/--repeats must be ≥ 1, got {obs}/{batch}/{minibatch}/{epochs}/{repeats}");
        var options = new PpoOptions { Epochs = epochs, MinibatchSize = minibatch, EntropyCoefficient = 0.01f, UpdateNormalizer = false, Seed = 1 };
        var steps = epochs * ((batch + minibatch - 1) / minibatch);

        var gaussianMs = MeasureCSharp(new GaussianActorCritic(new ActorCriticOptions { ObservationSize = obs, ActionSize = Joints, Seed = 1 }), batch, options, repeats);
        var categoricalMs = MeasureCSharp(new CategoricalActorCritic(new ActorCriticOptions { ObservationSize = obs, ActionSize = SubPolicies, Seed = 2 }), batch, options, repeats);
        Console.WriteLine($"PPO update: obs {obs} -> tanh {Hidden}x{Hidden} -> {Joints} (Gaussian) / {SubPolicies} (categorical), value net alike; " +
                          $"batch {batch}, minibatch {minibatch}, {epochs} epochs = {steps} gradient steps");
        Console.WriteLine(F($"C# (1 thread)       Gaussian {gaussianMs,9:F1} ms   categorical {categoricalMs,9:F1} ms"));

        var summary = new Dictionary<string, object>
        {
            ["bench"] = "nn", ["obs"] = obs, ["hidden"] = $"{Hidden}x{Hidden}", ["batch"] = batch, ["minibatch"] = minibatch,
            ["epochs"] = epochs, ["gradient_steps"] = steps,
            ["csharp_gaussian_ms"] = Math.Round(gaussianMs, 2), ["csharp_categorical_ms"] = Math.Round(categoricalMs, 2),
        };
        var skipReason = "--no-torch";
        TorchResult? torch1 = null;
        if (!parse.GetValue(_noTorch)) torch1 = RunTorch(1, obs, batch, minibatch, epochs, repeats, out skipReason);
        if (torch1 is null)
        {
            Console.WriteLine($"torch reference skipped: {skipReason}");
            summary["torch_skipped"] = skipReason;
        }
        else
        {
            var torchDefault = RunTorch(0, obs, batch, minibatch, epochs, repeats, out _);
            Report("torch (1 thread)", torch1, gaussianMs, categoricalMs, summary, "torch_1thread");
            if (torchDefault is not null) Report($"torch (default: {torchDefault.Value.Threads})", torchDefault, gaussianMs, categoricalMs, summary, "torch_default");
            summary["torch_version"] = torch1.Value.Version;
            summary["torch_blas"] = torch1.Value.Blas;
            Console.WriteLine($"torch {torch1.Value.Version}, BLAS {torch1.Value.Blas}");
            // DESIGN: the headline compares like with like — both sides on one thread; the default-thread
            // torch figure is reported beside it.
            summary["ratio_basis"] = "torch pinned to 1 thread vs single-threaded C#; total of the Gaussian and categorical updates";
            summary["ratio_vs_torch"] = Math.Round((torch1.Value.GaussianMs + torch1.Value.CategoricalMs) / (gaussianMs + categoricalMs), 2);
            Console.WriteLine(F($"ratio_vs_torch (1 thread) = {summary["ratio_vs_torch"]}"));
        }
        if (json) JsonOut.WriteLastLine(summary);
        return 0;
    }

    private static void Report(string label, TorchResult? r, double gaussianMs, double categoricalMs, Dictionary<string, object> summary, string key)
    {
        var t = r!.Value;
        Console.WriteLine(F($"{label,-19} Gaussian {t.GaussianMs,9:F1} ms   categorical {t.CategoricalMs,9:F1} ms   (C# speed-up {t.GaussianMs / gaussianMs:F2}x / {t.CategoricalMs / categoricalMs:F2}x)"));
        summary[$"{key}_gaussian_ms"] = Math.Round(t.GaussianMs, 2);
        summary[$"{key}_categorical_ms"] = Math.Round(t.CategoricalMs, 2);
        summary[$"{key}_threads"] = t.Threads;
        summary[$"ratio_vs_{key}"] = Math.Round((t.GaussianMs + t.CategoricalMs) / (gaussianMs + categoricalMs), 2);
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>Median milliseconds of one full PPO update after a warm-up update.</summary>
    private static double MeasureCSharp(ActorCritic policy, int rows, PpoOptions options, int repeats)
    {
        var batch = new PpoBatch(rows, policy.ObservationSize, policy.ActionWidth);
        var random = new SeededRandom(3);
        random.FillGaussian(batch.Observations);
        for (var i = 0; i < batch.Observations.Length; i++) batch.Observations[i] = batch.Observations[i] * 2 + 1;
        policy.Normalizer.Update(batch.Observations, rows);
        if (policy is GaussianActorCritic) random.FillGaussian(batch.Actions);
        else for (var i = 0; i < rows; i++) batch.Actions[i] = random.NextInt(policy.ActionSize);
        random.FillGaussian(batch.Advantages);
        random.FillGaussian(batch.Returns);
        for (var i = 0; i < rows; i++) batch.LogProbs[i] = random.NextGaussian() * 0.1f - 8f;
        batch.Count = rows;

        var ppo = new PpoUpdater(policy, options);
        // warm-up: workspace growth, then enough calls for tiered JIT to reach optimized code
        ppo.Update(batch);
        ppo.Update(batch);
        var times = new double[repeats];
        for (var r = 0; r < repeats; r++)
        {
            var start = Stopwatch.GetTimestamp();
            ppo.Update(batch);
            times[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return times[repeats / 2];
    }

    private readonly record struct TorchResult(string Version, string Blas, int Threads, double GaussianMs, double CategoricalMs);

    private static TorchResult? RunTorch(int threads, int obs, int batch, int minibatch, int epochs, int repeats, out string skipReason)
    {
        const string python = "/usr/bin/python3";
        var script = Path.Combine(MlshPaths.Root, "scripts", "bench", "nn_torch.py");
        if (!File.Exists(python)) { skipReason = $"{python} not found"; return null; }
        if (!File.Exists(script)) { skipReason = $"{script} not found"; return null; }
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { script, "--obs", $"{obs}", "--act", $"{Joints}", "--choices", $"{SubPolicies}", "--hidden", $"{Hidden}",
                     "--batch", $"{batch}", "--minibatch", $"{minibatch}", "--epochs", $"{epochs}", "--repeats", $"{repeats}", "--threads", $"{threads}" })
            psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (process.ExitCode != 0 || last is null)
        {
            skipReason = $"{script} exited with {process.ExitCode}: {stderr.Result.Trim().Split('\n').LastOrDefault()}";
            return null;
        }
        using var doc = JsonDocument.Parse(last);
        var root = doc.RootElement;
        if (root.TryGetProperty("skipped", out var skipped))
        {
            skipReason = skipped.GetString() ?? "skipped";
            return null;
        }
        skipReason = "";
        return new TorchResult(root.GetProperty("torch_version").GetString() ?? "?",
            root.TryGetProperty("blas", out var blas) ? blas.GetString() ?? "unknown" : "unknown", root.GetProperty("threads").GetInt32(),
            root.GetProperty("gaussian_ms").GetDouble(), root.GetProperty("categorical_ms").GetDouble());
    }
}

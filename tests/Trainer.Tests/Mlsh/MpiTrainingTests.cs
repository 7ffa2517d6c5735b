using System.Diagnostics;

namespace Mlsh.Trainer.Tests.Mlsh;

public sealed class MpiTrainingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-mpi-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task TrainWithTwoWorkers_KeepsSubpolicyParametersBitIdenticalAcrossRanks()
    {
        var cli = Path.Combine(Core.MlshPaths.Root, "artifacts", "bin", "Cli", "release", "mlsh.dll");
        File.Exists(cli).Should().BeTrue($"the CLI must be built first (dotnet build src/Cli -c Release): {cli} is missing");
        var config = Path.Combine(_dir, "bandits.yaml");
        File.WriteAllText(config, File.ReadAllText(Path.Combine(Core.MlshPaths.Root, "configs", "movement-bandits-mlsh.yaml"))
            .Replace("iterations: 1500", "iterations: 12", StringComparison.Ordinal)
            .Replace("envs: 64", "envs: 4", StringComparison.Ordinal)
            // The collapse guard fires at the end of round 0 (iteration 9): its decision and the fresh network
            // must be the same on both ranks.
            .Replace("min_distance: 0.6", "min_distance: 1.0", StringComparison.Ordinal)
            .Replace("patience_rounds: 5", "patience_rounds: 1", StringComparison.Ordinal)
            .Replace("grace_rounds: 20", "grace_rounds: 0", StringComparison.Ordinal));
        var run = Path.Combine(_dir, "run");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { cli, "train", "--config", config, "--out", run, "--workers", "2", "--json" }) psi.ArgumentList.Add(a);
        psi.Environment["MLSH_ROOT"] = Core.MlshPaths.Root;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await p.WaitForExitAsync(cts.Token); // 2 ranks × 12 small iterations finish in well under 3 minutes
        var err = await stderr;
        p.ExitCode.Should().Be(0, $"stderr: {err}");

        var digests = Enumerable.Range(0, 2).Select(r => File.ReadAllText(Path.Combine(run, "ranks", $"rank-{r}.sha256")).Trim()).ToArray();
        digests[0].Should().HaveLength(64);
        digests[1].Should().Be(digests[0], "sub-policy gradients and normalizer statistics are reduced over all ranks");
        var last = (await stdout).TrimEnd().Split('\n')[^1];
        last.Should().Contain("\"env_steps\":4800", "2 ranks × 12 iterations × 4 instances × 50 steps");
        File.Exists(Path.Combine(run, "checkpoint.bin")).Should().BeTrue("rank 0 writes checkpoints");
        File.ReadAllText(Path.Combine(run, "metrics.jsonl")).Should().Contain("\"reset_subpolicy\":", "the guard re-initialised a sub-policy during the run");
    }
}

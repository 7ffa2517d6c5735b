using System.Diagnostics;
using Mlsh.Trainer.Mlsh;
using Mlsh.Trainer.Runs;

namespace Mlsh.Trainer.Tests.Mlsh;

/// <summary>Resume of `mlsh train --workers 2` through the real CLI under mpirun.</summary>
public sealed class MpiResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-mpi-resume-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Round length 3 + 4 = 7 iterations; ranks_per_task 1, so the two ranks have two task groups with
    // different masters. The collapse guard (which fires whenever two sub-policies are closer than 1.0)
    // ends round 0 at iteration 6 using the skill usage each rank counted since iteration 3.
    private string WriteConfig(int iterations)
    {
        var path = Path.Combine(_dir, $"bandits-{iterations}.yaml");
        File.WriteAllText(path, TrainerFixtures.SmallBanditsYaml(iterations: iterations, seed: 3, jointIterations: 4, collapseGuard: """
            min_distance: 1.0
            patience_rounds: 1
            grace_rounds: 0
            # The unserved-task test's per-rank round returns and per-task history go through the checkpoint too.
            stalled_task_gap: 0.3
            """));
        return path;
    }

    private static (int ExitCode, string Stdout, string Stderr) Train(params string[] args)
    {
        var cli = Path.Combine(Core.MlshPaths.Root, "artifacts", "bin", "Cli", "release", "mlsh.dll");
        File.Exists(cli).Should().BeTrue($"the CLI must be built first (dotnet build src/Cli -c Release): {cli} is missing");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(cli);
        psi.ArgumentList.Add("train");
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["MLSH_ROOT"] = Core.MlshPaths.Root;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"mlsh train {string.Join(' ', args)} did not finish in 2 minutes (a rank waiting for the other?)");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static string[] Digests(string run, string kind) =>
        Enumerable.Range(0, 2).Select(r => File.ReadAllText(Path.Combine(run, "ranks", $"rank-{r}{kind}.sha256")).Trim()).ToArray();

    [Fact]
    public void TwoWorkers_ResumedMidRound_EndBitIdenticalToAnUninterruptedRun_SubpoliciesAndEveryRanksMaster()
    {
        var straight = Path.Combine(_dir, "straight");
        var resumed = Path.Combine(_dir, "resumed");
        var a = Train("--config", WriteConfig(7), "--out", straight, "--workers", "2");
        a.ExitCode.Should().Be(0, a.Stderr);
        // Killed after iteration 5 (mid-joint of round 0): the last checkpoint is the one at iteration 5.
        var b = Train("--config", WriteConfig(5), "--out", resumed, "--workers", "2");
        b.ExitCode.Should().Be(0, b.Stderr);
        var c = Train("--config", WriteConfig(7), "--out", resumed, "--workers", "2", "--resume");
        c.ExitCode.Should().Be(0, c.Stderr);

        var masters = Digests(straight, ".master");
        masters[0].Should().HaveLength(64);
        masters[1].Should().NotBe(masters[0], "the two ranks are two task groups with their own masters; restoring rank 0's on both would show");
        Digests(resumed, ".master").Should().Equal(masters, "every rank's task, master and master optimizer state must be restored");
        var subs = Digests(straight, "");
        subs[1].Should().Be(subs[0]);
        Digests(resumed, "").Should().Equal(subs, "sub-policies continue bit-identically");

        var straightMetrics = new RunDirectory(straight).ReadMetrics();
        var resumedMetrics = new RunDirectory(resumed).ReadMetrics();
        resumedMetrics.Select(m => m.Iteration).Should().Equal(Enumerable.Range(0, 7));
        resumedMetrics.Select(m => m.MeanReturn).Should().Equal(straightMetrics.Select(m => m.MeanReturn), "episode returns summed over both ranks match iteration by iteration");
        resumedMetrics.Select(m => m.ResetSubpolicy).Should().Equal(straightMetrics.Select(m => m.ResetSubpolicy), "the guard's decision at the end of round 0 (from every rank's restored skill usage) is the same");
        straightMetrics[^1].ResetSubpolicy.Should().BeGreaterThanOrEqualTo(0, "the guard fires at iteration 6, so the test covers its per-rank state");

        // One process (export, inspection) reads rank 0's task and master from the 2-rank checkpoint ...
        var configPath = WriteConfig(8);
        var config = Trainer.Configuration.TrainConfig.Load(configPath);
        var family = TaskFamilies.Create(config.TaskFamily, configPath);
        using var ownedFamily = family as IDisposable;
        using var trainer = new MlshTrainer(config, family, TaskFamilies.TaskList(config.TaskFamily, family, configPath));
        var ckpt = new RunDirectory(resumed).CheckpointFile;
        trainer.LoadCheckpoint(ckpt, TrainingRun.Fingerprint(config));
        TrainingRun.MasterDigest(trainer).Should().Be(masters[0]);
        // ... but a resume in one process would not continue the run, so it is refused with what to do instead.
        var act = () => TrainingRun.Run(new TrainRunOptions { ConfigPath = configPath, OutDirectory = resumed, Resume = true });
        act.Should().Throw<CheckpointException>().WithMessage($"{ckpt}: written by a run of 2 rank(s), this run has 1*resume with --workers 2*");
    }

    [Fact]
    public void TwoWorkers_ResumeFromTruncatedOrSingleProcessCheckpoint_EveryRankStopsWithOneLineNamingTheFile()
    {
        var run = Path.Combine(_dir, "run");
        TrainingRun.Run(new TrainRunOptions { ConfigPath = WriteConfig(2), OutDirectory = run });
        var ckpt = new RunDirectory(run).CheckpointFile;
        var whole = File.ReadAllBytes(ckpt);

        File.WriteAllBytes(ckpt, whole[..(whole.Length / 2)]);
        var truncated = Train("--config", WriteConfig(4), "--out", run, "--workers", "2", "--resume");
        truncated.ExitCode.Should().NotBe(0);
        ErrorLines(truncated.Stderr).Should().HaveCount(2, "each rank reports the same problem (rank 0 read the file and sent it) instead of waiting")
            .And.AllSatisfy(l => l.Should().StartWith($"error: {ckpt}: truncated or padded checkpoint"));

        File.WriteAllBytes(ckpt, whole);
        var otherRanks = Train("--config", WriteConfig(4), "--out", run, "--workers", "2", "--resume");
        otherRanks.ExitCode.Should().NotBe(0);
        ErrorLines(otherRanks.Stderr).Should().HaveCount(2)
            .And.AllSatisfy(l => l.Should().StartWith($"error: {ckpt}: written by a run of 1 rank(s), this run has 2").And.Contain("resume with no --workers"));
    }

    // mpirun may put terminal escapes before a rank's line: take each line from its "error: ".
    private static string[] ErrorLines(string stderr) =>
        stderr.Split('\n').Where(l => l.Contains("error: ", StringComparison.Ordinal))
            .Select(l => l[l.IndexOf("error: ", StringComparison.Ordinal)..].TrimEnd()).ToArray();
}

using Mlsh.Core.Configuration;
using Mlsh.Trainer.Mlsh;
using Mlsh.Trainer.Runs;

namespace Mlsh.Trainer.Tests.Mlsh;

public sealed class ResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-resume-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("mlsh", 7)] // 7 = mid-round (round length 5): the current task and master must survive
    [InlineData("flat", 4)]
    public void TrainStraight_EqualsTrainSaveReloadTrain_BitForBit(string algorithm, int k)
    {
        var config = TrainerFixtures.SmallBandits(algorithm);
        var fingerprint = TrainingRun.Fingerprint(config);
        using var straight = TrainerFixtures.Create(config);
        for (var i = 0; i < 2 * k; i++) straight.RunIteration();

        var path = Path.Combine(_dir, "checkpoint.bin");
        using (var first = TrainerFixtures.Create(config))
        {
            for (var i = 0; i < k; i++) first.RunIteration();
            first.SaveCheckpoint(path, fingerprint);
        }
        using var resumed = TrainerFixtures.Create(config);
        resumed.LoadCheckpoint(path, fingerprint);
        resumed.Iteration.Should().Be(k);
        for (var i = 0; i < k; i++) resumed.RunIteration();

        TrainerFixtures.AllParameters(resumed).Should().Equal(TrainerFixtures.AllParameters(straight));
        resumed.CurrentTask.Should().Be(straight.CurrentTask);
        resumed.EnvSteps.Should().Be(straight.EnvSteps);
    }

    private string WriteConfig(int iterations)
    {
        var path = Path.Combine(_dir, "bandits.yaml");
        var yaml = File.ReadAllText(Path.Combine(Core.MlshPaths.Root, "configs", "movement-bandits-mlsh.yaml"))
            .Replace("iterations: 1500", $"iterations: {iterations}", StringComparison.Ordinal)
            .Replace("envs: 64", "envs: 2", StringComparison.Ordinal)
            .Replace("checkpoint_every: 20", "checkpoint_every: 3", StringComparison.Ordinal)
            .Replace("plot_every: 20", "plot_every: 3", StringComparison.Ordinal);
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public void Run_Resume_ContinuesTheRunDirectoryExactly_AndWritesMetricsPlotsAndModels()
    {
        var straightDir = Path.Combine(_dir, "straight");
        var resumedDir = Path.Combine(_dir, "resumed");
        TrainingRun.Run(new TrainRunOptions { ConfigPath = WriteConfig(12), OutDirectory = straightDir });
        TrainingRun.Run(new TrainRunOptions { ConfigPath = WriteConfig(6), OutDirectory = resumedDir });
        var summary = TrainingRun.Run(new TrainRunOptions { ConfigPath = WriteConfig(12), OutDirectory = resumedDir, Resume = true });

        summary.Iterations.Should().Be(12);
        var a = ModelsDirectory.Load(straightDir);
        var b = ModelsDirectory.Load(resumedDir);
        for (var k = 0; k < 2; k++) b.Subpolicies[k].Parameters.ToArray().Should().Equal(a.Subpolicies[k].Parameters.ToArray());
        b.Master!.Parameters.ToArray().Should().Equal(a.Master!.Parameters.ToArray());

        var run = new RunDirectory(resumedDir);
        run.ReadMetrics().Select(m => m.Iteration).Should().Equal(Enumerable.Range(0, 12));
        foreach (var plot in new[] { "return.svg", "success.svg", "skill_usage.svg", "diversity.svg" })
            File.Exists(Path.Combine(run.PlotsDirectory, plot)).Should().BeTrue(plot);
        File.ReadAllText(run.ConfigFile).Should().Contain("macro_steps: 10");
    }

    [Fact]
    public void Resume_WithTruncatedCheckpoint_FailsNamingTheFile()
    {
        var dir = Path.Combine(_dir, "run");
        TrainingRun.Run(new TrainRunOptions { ConfigPath = WriteConfig(3), OutDirectory = dir });
        var ckpt = new RunDirectory(dir).CheckpointFile;
        var bytes = File.ReadAllBytes(ckpt);
        File.WriteAllBytes(ckpt, bytes[..(bytes.Length / 2)]);
        var act = () => TrainingRun.Run(new TrainRunOptions { ConfigPath = WriteConfig(6), OutDirectory = dir, Resume = true });
        act.Should().Throw<CheckpointException>().WithMessage($"{ckpt}: truncated*");
    }

    [Fact]
    public void Resume_WithAChangedHyperparameter_IsRefused()
    {
        var dir = Path.Combine(_dir, "run");
        TrainingRun.Run(new TrainRunOptions { ConfigPath = WriteConfig(3), OutDirectory = dir });
        var act = () => TrainingRun.Run(new TrainRunOptions { ConfigPath = WriteConfig(6), OutDirectory = dir, Resume = true, Seed = 99 });
        act.Should().Throw<CheckpointException>().WithMessage("*different config*");
    }

    [Fact]
    public void Resume_WithoutCheckpoint_IsAConfigError()
    {
        var act = () => TrainingRun.Run(new TrainRunOptions { ConfigPath = WriteConfig(3), OutDirectory = Path.Combine(_dir, "empty"), Resume = true });
        act.Should().Throw<ConfigException>().WithMessage("*--resume: no checkpoint*");
    }
}

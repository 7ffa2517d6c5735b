using Mlsh.Core.Configuration;
using Mlsh.Trainer.Configuration;
using Mlsh.Trainer.Mlsh;

namespace Mlsh.Trainer.Tests.Mlsh;

public sealed class InitSubpoliciesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-init-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A shipped MovementBandits config (MLSH: warm-up 5, joint 5) made small, plus extra top-level keys.</summary>
    private string WriteConfig(string name, int iterations, string extra = "", string algorithm = "mlsh", int subpolicies = 2)
    {
        var path = Path.Combine(_dir, name + ".yaml");
        var yaml = File.ReadAllText(Path.Combine(Core.MlshPaths.Root, "configs", $"movement-bandits-{algorithm}.yaml"))
            .Replace("iterations: 1500", $"iterations: {iterations}", StringComparison.Ordinal)
            .Replace("envs: 64", "envs: 2", StringComparison.Ordinal)
            .Replace("subpolicies: 2", $"subpolicies: {subpolicies}", StringComparison.Ordinal);
        File.WriteAllText(path, yaml + "\n" + extra + "\n");
        return path;
    }

    private string TrainStageOne()
    {
        var dir = Path.Combine(_dir, "stage1");
        TrainingRun.Run(new TrainRunOptions { ConfigPath = WriteConfig("stage1", 12), OutDirectory = dir });
        return dir;
    }

    [Fact]
    public void Train_WithInitSubpolicies_StartsFromThoseSubpolicies_AndAWarmupLeavesThemUntouched()
    {
        var stage1 = TrainStageOne();
        var source = ModelsDirectory.Load(stage1).Subpolicies;

        // Iterations 0-4 are the first round's warm-up: only the master learns, so the sub-policies stay as loaded.
        var dir = Path.Combine(_dir, "stage2");
        TrainingRun.Run(new TrainRunOptions { ConfigPath = WriteConfig("stage2", 3, $"init_subpolicies: {stage1}"), OutDirectory = dir });
        var after = ModelsDirectory.Load(dir).Subpolicies;
        var fresh = Path.Combine(_dir, "fresh");
        TrainingRun.Run(new TrainRunOptions { ConfigPath = WriteConfig("fresh", 3), OutDirectory = fresh });

        for (var k = 0; k < 2; k++)
        {
            after[k].Parameters.ToArray().Should().Equal(source[k].Parameters.ToArray());
            after[k].Normalizer.RunningMean.ToArray().Should().Equal(source[k].Normalizer.RunningMean.ToArray());
            ModelsDirectory.Load(fresh).Subpolicies[k].Parameters.ToArray().Should().NotEqual(source[k].Parameters.ToArray());
        }
    }

    [Fact]
    public void Resume_TakesTheSubpoliciesFromTheCheckpoint_NotFromInitSubpolicies()
    {
        var stage1 = TrainStageOne();
        var extra = $"init_subpolicies: {stage1}";
        var straight = Path.Combine(_dir, "straight");
        var resumed = Path.Combine(_dir, "resumed");
        TrainingRun.Run(new TrainRunOptions { ConfigPath = WriteConfig("s", 14, extra), OutDirectory = straight });
        TrainingRun.Run(new TrainRunOptions { ConfigPath = WriteConfig("r", 7, extra), OutDirectory = resumed });
        TrainingRun.Run(new TrainRunOptions { ConfigPath = WriteConfig("r", 14, extra), OutDirectory = resumed, Resume = true });

        var a = ModelsDirectory.Load(straight).Subpolicies;
        var b = ModelsDirectory.Load(resumed).Subpolicies;
        for (var k = 0; k < 2; k++) b[k].Parameters.ToArray().Should().Equal(a[k].Parameters.ToArray());
    }

    [Fact]
    public void Train_WithInitSubpolicies_OfAnotherShape_FailsNamingTheKeyAndTheMismatch()
    {
        var stage1 = TrainStageOne();

        var act = () => TrainingRun.Run(new TrainRunOptions { ConfigPath = WriteConfig("three", 3, $"init_subpolicies: {stage1}", subpolicies: 3), OutDirectory = Path.Combine(_dir, "three") });

        act.Should().Throw<ConfigException>().WithMessage("*init_subpolicies*holds 2 sub-policies, hierarchy.subpolicies is 3*");
        Directory.Exists(Path.Combine(_dir, "three")).Should().BeFalse("nothing is written before the config is accepted");
    }

    [Fact]
    public void Config_WithInitSubpolicies_ThatIsNotAModelsDirectory_FailsBeforeTraining()
    {
        var missing = Path.Combine(_dir, "nowhere");

        var act = () => TrainConfig.Load(WriteConfig("missing", 3, $"init_subpolicies: {missing}"));

        act.Should().Throw<ConfigException>().WithMessage("*init_subpolicies*models.yaml*");
    }

    [Fact]
    public void Config_WithInitSubpolicies_ForTheFlatBaseline_IsRejected()
    {
        var stage1 = TrainStageOne();

        var act = () => TrainConfig.Load(WriteConfig("flat", 3, $"init_subpolicies: {stage1}", algorithm: "flat"));

        act.Should().Throw<ConfigException>().WithMessage("*init_subpolicies*algorithm: flat*");
    }
}

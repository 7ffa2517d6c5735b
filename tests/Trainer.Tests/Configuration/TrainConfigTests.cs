using Mlsh.Core.Configuration;
using Mlsh.Trainer.Configuration;

namespace Mlsh.Trainer.Tests.Configuration;

public sealed class TrainConfigTests
{
    private const string Valid = """
        algorithm: mlsh
        task_family:
          kind: movement_bandits
        seed: 3
        iterations: 10
        envs: 4
        rollout_steps: 50
        hierarchy:
          subpolicies: 2
          macro_steps: 10
          warmup_iterations: 2
          joint_iterations: 1
        master:
          hidden: [32]
          learning_rate: 0.01
        subpolicy:
          hidden: [64, 64]
          learning_rate: 0.0003
        """;

    [Fact]
    public void Parse_ValidConfig_ReadsEveryLevel()
    {
        var c = TrainConfig.Parse(Valid, "cfg.yaml");
        c.Seed.Should().Be(3UL);
        c.Hierarchy.MacroSteps.Should().Be(10);
        c.Master.Hidden.Should().Equal(32);
        c.Master.LearningRate.Should().Be(0.01f);
        c.Subpolicy.Hidden.Should().Equal(64, 64);
    }

    [Fact]
    public void Parse_UnknownKey_FailsNamingFileKeyAndAllowedKeys()
    {
        var act = () => TrainConfig.Parse(Valid.Replace("  macro_steps: 10", "  macro_step: 10", StringComparison.Ordinal), "cfg.yaml");
        act.Should().Throw<ConfigException>()
            .WithMessage("cfg.yaml: *unknown key 'macro_step'*allowed keys:*macro_steps*");
    }

    [Fact]
    public void Parse_BadEnumValue_FailsNamingKeyAndAllowedValues()
    {
        var act = () => TrainConfig.Parse(Valid.Replace("algorithm: mlsh", "algorithm: mlhs", StringComparison.Ordinal), "cfg.yaml");
        act.Should().Throw<ConfigException>()
            .WithMessage("cfg.yaml: key 'algorithm': got 'mlhs'; expected one of: mlsh, flat");
    }

    [Theory]
    [InlineData("  macro_steps: 10", "  macro_steps: 0", "key 'hierarchy.macro_steps': got 0; expected an integer ≥ 1")]
    [InlineData("  learning_rate: 0.01", "  learning_rate: 5", "key 'master.learning_rate': got 5; expected a number in [1E-07, 1]")]
    [InlineData("envs: 4", "envs: -2", "key 'envs': got -2; expected an integer ≥ 1")]
    [InlineData("rollout_steps: 50", "rollout_steps: 55", "key 'rollout_steps': got 55; expected a multiple of hierarchy.macro_steps (10)*")]
    [InlineData("  kind: movement_bandits", "  kind: ant_maze", "key 'task_family.kind': got 'ant_maze'; expected one of: movement_bandits, four_rooms, pointmass_maze, quadruped_maze")]
    [InlineData("  kind: movement_bandits", "  kind: quadruped_maze", "key 'task_family.layouts': got []; expected at least one layout file for quadruped_maze")]
    [InlineData("  kind: movement_bandits", "  kind: movement_bandits\n  start_heading_spread: 90", "key 'task_family.start_heading_spread': got 90; expected 0 for movement_bandits (a start heading applies to the maze families)")]
    public void Parse_OutOfRangeValue_FailsBeforeTrainingWithKeyValueAndAllowedRange(string from, string to, string message)
    {
        var yaml = Valid.Replace(from, to, StringComparison.Ordinal);
        yaml.Should().NotBe(Valid);
        var act = () => TrainConfig.Parse(yaml, "cfg.yaml");
        act.Should().Throw<ConfigException>().WithMessage("cfg.yaml: " + message);
    }

    [Fact]
    public void Parse_MixTasks_IsRefusedForMlsh_AndAcceptedForTheFlatBaseline()
    {
        var mixed = Valid.Replace("  kind: movement_bandits", "  kind: movement_bandits\n  mix_tasks: true", StringComparison.Ordinal);
        var act = () => TrainConfig.Parse(mixed, "cfg.yaml");
        act.Should().Throw<ConfigException>().WithMessage("cfg.yaml: key 'task_family.mix_tasks': got true; expected false with algorithm: mlsh*");

        var flat = TrainConfig.Parse(mixed.Replace("algorithm: mlsh", "algorithm: flat", StringComparison.Ordinal), "cfg.yaml");
        flat.TaskFamily.MixTasks.Should().BeTrue();
        TrainConfig.Parse(Valid, "cfg.yaml").TaskFamily.MixTasks.Should().BeFalse();
    }

    [Fact]
    public void Parse_StartHeadingSpread_AcceptsAHalfTurnOnAMaze_AndRejectsMore()
    {
        string Maze(string spread) => Valid.Replace("  kind: movement_bandits",
            $"  kind: pointmass_maze\n  layouts: [layouts/train/corridor-east.yaml]\n  start_heading_spread: {spread}", StringComparison.Ordinal);
        TrainConfig.Parse(Maze("180"), "cfg.yaml").TaskFamily.StartHeadingSpread.Should().Be(180);
        var act = () => TrainConfig.Parse(Maze("181"), "cfg.yaml");
        act.Should().Throw<ConfigException>().WithMessage("cfg.yaml: key 'task_family.start_heading_spread': got 181; expected a number in [0, 180]");
    }

    [Fact]
    public void Parse_WrongType_FailsWithLineAndColumn()
    {
        var act = () => TrainConfig.Parse(Valid.Replace("iterations: 10", "iterations: many", StringComparison.Ordinal), "cfg.yaml");
        act.Should().Throw<ConfigException>().WithMessage("cfg.yaml: line 5*");
    }

    [Fact]
    public void ShippedConfigs_AllLoad()
    {
        var dir = Path.Combine(Core.MlshPaths.Root, "configs");
        var files = Directory.GetFiles(dir, "*.yaml");
        files.Should().NotBeEmpty();
        foreach (var f in files)
        {
            var c = TrainConfig.Load(f);
            c.Iterations.Should().BeGreaterThan(0, f);
        }
    }
}

public sealed class TrainConfigRoundTripTests
{
    [Fact]
    public void ResolvedConfig_WrittenByARun_LoadsBackIdentically()
    {
        var c = TrainConfig.Parse(File.ReadAllText(Path.Combine(Core.MlshPaths.Root, "configs", "pointmass-mlsh.yaml")), "pointmass-mlsh.yaml");
        var yaml = new YamlDotNet.Serialization.SerializerBuilder()
            .WithNamingConvention(YamlDotNet.Serialization.NamingConventions.UnderscoredNamingConvention.Instance).Build().Serialize(c);
        var back = TrainConfig.Parse(yaml, "config.yaml");
        global::Mlsh.Trainer.Mlsh.TrainingRun.Fingerprint(back).Should().Be(global::Mlsh.Trainer.Mlsh.TrainingRun.Fingerprint(c));
        back.TaskFamily.Layouts.Should().HaveCount(9);
    }
}

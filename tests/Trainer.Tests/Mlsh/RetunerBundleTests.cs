using Mlsh.Core;
using Mlsh.Core.Configuration;
using Mlsh.NeuralNets.Policies;
using Mlsh.Onnx.Manifest;
using Mlsh.OnnxRuntime.Policies;
using Mlsh.Trainer.Mlsh;

namespace Mlsh.Trainer.Tests.Mlsh;

/// <summary>Retune on a maze family writes a complete models directory: ONNX bundle (Runtime), trainer networks (eval).</summary>
public sealed class RetunerBundleTests : IDisposable
{
    private const int ObservationSize = 15; // point mass: base state 13 + previous action 2 (no joint observations)
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-retuner-bundle-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Layout(string name) => Path.Combine(MlshPaths.Layouts, "train", name + ".yaml");

    /// <summary>A bare models directory with two untrained point-mass sub-policies (what retune freezes).</summary>
    private string PointMassSubpolicies()
    {
        var dir = Path.Combine(_dir, "subs");
        var subs = Enumerable.Range(0, 2).Select(k => (ActorCritic)new GaussianActorCritic(new ActorCriticOptions
        {
            ObservationSize = ObservationSize, ActionSize = 2, HiddenSizes = [16], Seed = (ulong)(10 + k), InitialLogStd = -0.5f,
        })).ToArray();
        ModelsDirectory.Write(dir, new ModelsDescription
        {
            TaskFamily = "pointmass_maze", ObservationSize = ObservationSize, ActionKind = "continuous", ActionSize = 2, MacroSteps = 20,
        }, subs, master: null);
        return dir;
    }

    private static RetuneOptions Options(string subs, string outDir, ulong seed = 1) => new()
    {
        Subpolicies = subs, Layout = Layout("corridor-east"), OutDirectory = outDir, Iterations = 2, EvalEpisodes = 2, Seed = seed,
    };

    [Fact]
    public void Retune_OnAPointMassLayout_WritesAnOnnxBundleThatPolicyBundleLoads_AndThatEvalRunsOn()
    {
        var subs = PointMassSubpolicies();
        var (_, frozen, _) = ModelsDirectory.Load(subs);
        var outDir = Path.Combine(_dir, "retuned");

        var summary = Retuner.Run(Options(subs, outDir));

        // The Runtime's view: manifest + ONNX models with matching hashes, velocity targets, the point mass's layout.
        using (var bundle = PolicyBundle.Load(outDir, new PolicyExpectations
        {
            Robot = "pointmass", JointNames = ["base_x", "base_y"], ObservationSize = ObservationSize, SubPolicyCount = 2, ControlRateHz = 100,
        }))
        {
            var m = bundle.Manifest;
            m.Action.Kind.Should().Be(ActionContract.JointVelocityTargets);
            m.Timing.MasterPeriod.Should().Be(100, "macro step 20 agent steps × policy_decimation 5");
            m.Models.Master.Sha256.Should().Be(ModelHash.Sha256Hex(File.ReadAllBytes(Path.Combine(outDir, "master.onnx"))));
            m.Provenance.Iterations.Should().Be(2);
            m.Provenance.EvaluationEpisodes.Should().Be(2);
            m.Provenance.EvaluationSuccess.Should().Be(summary.SuccessRate);
            m.Provenance.Config.Should().Be(Path.GetFileName(subs) + "/models.yaml", "a bare models directory outside the repository is named by its last folder, never an absolute path");
        }

        // eval's view: the trainer's networks, sub-policies untouched, the new master; deterministic episodes run.
        var (d, subpolicies, master) = ModelsDirectory.Load(outDir);
        master.Should().NotBeNull();
        d.Layout.Should().EndWith("layouts/train/corridor-east.yaml");
        for (var k = 0; k < frozen.Length; k++)
            subpolicies[k].Parameters.ToArray().Should().Equal(frozen[k].Parameters.ToArray(), "retuning must not touch sub-policies");
        var (family, task, _) = Retuner.FamilyFor(d, Layout("corridor-east"), null, outDir);
        using (family as IDisposable)
        {
            var eval = Evaluator.Run(family, task, subpolicies, master, d.MacroSteps, episodes: 2, seed: 1);
            eval.Episodes.Should().Be(2);
            eval.SuccessRate.Should().Be(summary.SuccessRate, "the same deterministic evaluation as retune's own");
        }
        File.ReadAllLines(Path.Combine(outDir, "metrics.jsonl")).Should().HaveCount(2);
        Directory.GetFiles(Path.Combine(outDir, "plots"), "*.svg").Should().NotBeEmpty();
    }

    [Fact]
    public void Retune_IntoItsOwnPreviousOutput_ReplacesTheBundle()
    {
        var subs = PointMassSubpolicies();
        var outDir = Path.Combine(_dir, "again");
        Retuner.Run(Options(subs, outDir));
        var first = File.ReadAllBytes(Path.Combine(outDir, "master.onnx"));

        Retuner.Run(Options(subs, outDir, seed: 2));

        File.ReadAllBytes(Path.Combine(outDir, "master.onnx")).Should().NotEqual(first, "a different seed learns a different master");
        File.ReadAllLines(Path.Combine(outDir, "metrics.jsonl")).Should().HaveCount(2, "the metrics are the second retune's only");
        var act = () => ManifestYaml.Load(Path.Combine(outDir, ManifestYaml.FileName));
        act.Should().NotThrow();
    }

    [Fact]
    public void Retune_FromAnOnnxOnlyBundle_FailsSayingToReExportIt()
    {
        var onnxOnly = Path.Combine(_dir, "onnx-only");
        Directory.CreateDirectory(onnxOnly);
        File.Copy(Path.Combine(MlshPaths.Models, "quadruped", ManifestYaml.FileName), Path.Combine(onnxOnly, ManifestYaml.FileName));

        var act = () => Retuner.Run(Options(onnxOnly, Path.Combine(_dir, "never")));

        act.Should().Throw<ConfigException>().WithMessage("*ONNX bundle without the trainer's networks*re-export it with `mlsh export --run*");
        Directory.Exists(Path.Combine(_dir, "never")).Should().BeFalse();
    }

    [Fact]
    public void Retune_RefusesAnOutDirectoryHoldingOtherFiles_BeforeTraining()
    {
        var subs = PointMassSubpolicies();
        var outDir = Path.Combine(_dir, "user-data");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "notes.txt"), "field notes");

        var act = () => Retuner.Run(Options(subs, outDir));

        act.Should().Throw<ConfigException>().WithMessage("*--out exists and is not an Mlsh models directory*notes.txt*");
        Directory.GetFileSystemEntries(outDir).Select(Path.GetFileName).Should().Equal("notes.txt");
    }

    [Fact]
    public void Retune_WithMacroSteps_TicksTheMasterAtThatPeriod_AndTheBundleRecordsIt()
    {
        var subs = PointMassSubpolicies();
        var outDir = Path.Combine(_dir, "retuned");

        Retuner.Run(new RetuneOptions
        {
            Subpolicies = subs, Layout = Layout("corridor-east"), OutDirectory = outDir, Iterations = 1, EvalEpisodes = 1, MacroSteps = 8,
        });

        var (description, _, _) = ModelsDirectory.Load(outDir);
        description.MacroSteps.Should().Be(8);
        ManifestYaml.Load(Path.Combine(outDir, ManifestYaml.FileName)).Timing.MasterPeriod.Should().Be(40, "8 agent steps × policy_decimation 5");
    }

    [Fact]
    public void Retune_OnAMaze_ByDefaultLearnsAMasterThatSeesOnlyThePose()
    {
        var subs = PointMassSubpolicies();
        var outDir = Path.Combine(_dir, "retuned");
        Retuner.Run(Options(subs, outDir));
        var (_, _, master) = ModelsDirectory.Load(outDir);

        var layout = new Environments.Observations.ObservationLayout(0, 2);
        var first = master!.PolicyNetwork.Layers[0];
        foreach (var segment in layout.Segments.Where(s => s.Size > 0))
        {
            var rows = first.Weights.Slice(segment.Offset * first.OutputSize, segment.Size * first.OutputSize).ToArray();
            if (segment.Name is "base_position_xy" or "base_yaw_cos_sin") rows.Should().Contain(w => w != 0, segment.Name);
            else rows.Should().OnlyContain(w => w == 0, $"the master must ignore {segment.Name}");
        }
    }

    private static global::Mlsh.Trainer.Configuration.TrainConfig Settings(RetuneOptions options, Environments.ITaskFamily family, string kind)
    {
        var config = new global::Mlsh.Trainer.Configuration.TrainConfig();
        Retuner.ApplyRetuneSettings(config, options, new ModelsDescription
        {
            TaskFamily = kind, ObservationSize = ObservationSize, ActionKind = "continuous", ActionSize = 2, MacroSteps = 20,
        }, 2, family, kind.EndsWith("_maze", StringComparison.Ordinal) ? MasterObservation.Pose : MasterObservation.All);
        return config;
    }

    [Fact]
    public void Retune_OnAMaze_ByDefaultGivesTheMasterAShortHorizon_AndTakesTheFlagsOverIt()
    {
        using var family = Environments.Tasks.MazeTaskFamily.Create("pointmass", [Layout("corridor-east")]);
        var byDefault = Settings(Options("subs", "out"), family, "pointmass_maze");
        byDefault.Master.Gamma.Should().Be(Retuner.MazeMasterGamma).And.BeLessThan(new global::Mlsh.Trainer.Configuration.TrainConfig().Master.Gamma);
        byDefault.Master.Lambda.Should().Be(Retuner.MazeMasterLambda);

        var paperValues = Settings(new RetuneOptions { Subpolicies = "subs", Layout = Layout("corridor-east"), OutDirectory = "out", MasterGamma = 0.99f, MasterLambda = 0.98f }, family, "pointmass_maze");
        paperValues.Master.Gamma.Should().Be(0.99f);
        paperValues.Master.Lambda.Should().Be(0.98f);

        var act = () => Settings(new RetuneOptions { Subpolicies = "subs", Layout = Layout("corridor-east"), OutDirectory = "out", MasterLambda = 1.5f }, family, "pointmass_maze");
        act.Should().Throw<ConfigException>().WithMessage("--master-lambda must be in [0, 1], got 1.5");
    }

    [Fact]
    public void Retune_OnADiscreteFamily_KeepsTheConfigsMasterHorizon()
    {
        var family = new Environments.Discrete.MovementBanditsTaskFamily();
        var config = Settings(new RetuneOptions { Subpolicies = "subs", Task = 0, OutDirectory = "out" }, family, "movement_bandits");
        config.Master.Gamma.Should().Be(new global::Mlsh.Trainer.Configuration.TrainConfig().Master.Gamma);
        config.Master.Lambda.Should().Be(new global::Mlsh.Trainer.Configuration.TrainConfig().Master.Lambda);
    }

    [Fact]
    public void Retune_WithMasterObservesAll_LetsTheMasterSeeEverything()
    {
        var subs = PointMassSubpolicies();
        var outDir = Path.Combine(_dir, "retuned");
        Retuner.Run(new RetuneOptions
        {
            Subpolicies = subs, Layout = Layout("corridor-east"), OutDirectory = outDir, Iterations = 1, EvalEpisodes = 1, MasterObserves = MasterObservation.All,
        });
        var (_, _, master) = ModelsDirectory.Load(outDir);
        var first = master!.PolicyNetwork.Layers[0];
        var velocity = new Environments.Observations.ObservationLayout(0, 2)["base_linear_velocity"];
        first.Weights.Slice(velocity.Offset * first.OutputSize, first.OutputSize).ToArray().Should().Contain(w => w != 0);
    }

    [Fact]
    public void Retune_WithEnvs_RunsThatManyInstancesPerIteration()
    {
        var subs = PointMassSubpolicies();
        var outDir = Path.Combine(_dir, "retuned");
        var summary = Retuner.Run(new RetuneOptions
        {
            Subpolicies = subs, Layout = Layout("corridor-east"), OutDirectory = outDir, Iterations = 1, EvalEpisodes = 1, Envs = 3, MacroSteps = 10,
        });
        using var family = Environments.Tasks.MazeTaskFamily.Create("pointmass", [Layout("corridor-east")]);
        summary.EnvSteps.Should().Be(3L * Retuner.RoundUp(Retuner.EpisodeSteps(family), 10), "one iteration: 3 instances × one episode length");
        var act = () => Retuner.Run(new RetuneOptions { Subpolicies = subs, Layout = Layout("corridor-east"), OutDirectory = Path.Combine(_dir, "y"), Envs = 0 });
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain("--envs must be ≥ 1, got 0");
    }

    [Fact]
    public void Retune_WithANonPositiveMacroStep_FailsBeforeTraining()
    {
        var subs = PointMassSubpolicies();
        var act = () => Retuner.Run(new RetuneOptions { Subpolicies = subs, Layout = Layout("corridor-east"), OutDirectory = Path.Combine(_dir, "x"), MacroSteps = 0 });
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain("--macro-steps must be ≥ 1, got 0");
        Directory.Exists(Path.Combine(_dir, "x")).Should().BeFalse();
    }
}

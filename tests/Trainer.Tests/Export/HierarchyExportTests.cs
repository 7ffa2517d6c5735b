using Mlsh.Core;
using System.Security.Cryptography;
using Mlsh.Core.Configuration;
using Mlsh.Environments.Robots;
using Mlsh.Onnx.Manifest;
using Mlsh.OnnxRuntime.Policies;
using Mlsh.Trainer.Export;
using Mlsh.Trainer.Runs;
using Mlsh.TestSupport;

namespace Mlsh.Trainer.Tests.Export;

public class HierarchyExportTests(TinyQuadrupedRun run) : IClassFixture<TinyQuadrupedRun>
{
    private static readonly RobotConfig Quadruped = RobotConfig.LoadShipped("quadruped");

    private RunExportResult Export(string outDir, int? checkpoint = null, int evaluate = 0) =>
        HierarchyExport.FromRun(new RunExportOptions
        {
            RunDirectory = run.RunDirectory, OutDirectory = outDir, CheckpointIteration = checkpoint, EvaluationEpisodes = evaluate,
        });

    private static PolicyBundle Load(string dir) => PolicyBundle.Load(dir, new PolicyExpectations
    {
        Robot = "quadruped",
        JointNames = Quadruped.Joints.Select(j => j.Name).ToArray(),
        ObservationSize = 37,
        SubPolicyCount = TinyQuadrupedRun.SubPolicies,
        ControlRateHz = 500,
    });

    [Fact]
    public void FromRun_WritesBundleThatPolicyBundleLoads_AndThatPassesTheOnnxChecker()
    {
        var outDir = run.NewPath("quadruped");
        var result = Export(outDir);

        using (var bundle = Load(outDir))
        {
            bundle.SubPolicies.Should().HaveCount(TinyQuadrupedRun.SubPolicies);
            bundle.Master.SubPolicyCount.Should().Be(TinyQuadrupedRun.SubPolicies);
        }
        Directory.GetFiles(outDir).Select(Path.GetFileName).Should().BeEquivalentTo(
            ["manifest.yaml", "master.onnx", "sub_policy_0.onnx", "sub_policy_1.onnx", "models.yaml", "master.bin", "subpolicy-0.bin", "subpolicy-1.bin"],
            "the ONNX bundle carries the trainer's networks too, so eval and retune load the same directory");
        var (code, output) = OnnxChecker.Check(Directory.GetFiles(outDir, "*.onnx"));
        code.Should().Be(0, output);
        result.Manifest.Name.Should().Be(Path.GetFileName(outDir));
    }

    [Fact]
    public void FromRun_ManifestMatchesRobotConfig_ObservationLayoutAndTrainingTiming()
    {
        var outDir = run.NewPath("contract");
        Export(outDir);
        var m = ManifestYaml.Load(Path.Combine(outDir, ManifestYaml.FileName));

        m.Robot.Name.Should().Be("quadruped");
        m.Robot.JointNames.Should().Equal(Quadruped.Joints.Select(j => j.Name));
        m.Action.Kind.Should().Be(ActionContract.JointPositionTargets);
        m.Action.Scale.Should().Equal(Quadruped.Joints.Select(j => (float)j.ActionScale));
        m.Action.DefaultPose.Should().Equal(Quadruped.Joints.Select(j => (float)j.DefaultPosition));
        m.Action.Kp.Should().Equal(Quadruped.Joints.Select(j => (float)j.Kp));
        m.Action.Kd.Should().Equal(Quadruped.Joints.Select(j => (float)j.Kd));
        m.Action.TorqueLimit.Should().Equal(Quadruped.Joints.Select(j => (float)j.TorqueLimit));
        m.Observation.Size.Should().Be(37);
        m.Observation.Fields.Select(f => (f.Name, f.Size, f.Units)).Should().Equal(
            ("base_position_xy", 2, "m"), ("base_yaw_cos_sin", 2, "1"), ("base_linear_velocity", 3, "m/s"),
            ("base_angular_velocity", 3, "rad/s"), ("projected_gravity", 3, "1"), ("joint_position_offset", 8, "rad"),
            ("joint_velocity", 8, "rad/s"), ("previous_action", 8, "1"));
        // Control cycle = physics step (PD law rate); sub-policy every decimation cycles; master every macro step.
        m.Timing.ControlRateHz.Should().Be(1.0 / 0.002);
        m.Timing.PolicyDecimation.Should().Be(Quadruped.PolicyDecimation);
        m.Timing.MasterPeriod.Should().Be(TinyQuadrupedRun.MacroSteps * Quadruped.PolicyDecimation);
    }

    [Fact]
    public void FromRun_Provenance_NamesTheRunConfigWithItsHash_IterationsAndLastTrainingMetrics()
    {
        var outDir = run.NewPath("provenance");
        var result = Export(outDir);
        var p = ManifestYaml.Load(Path.Combine(outDir, ManifestYaml.FileName)).Provenance;

        var configYaml = Path.Combine(run.RunDirectory, "config.yaml");
        p.ConfigSha256.Should().Be(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(configYaml))));
        p.Config.Should().Be("run/config.yaml", "a run outside the repository is named by its directory, never by an absolute path");
        p.Iterations.Should().Be(3);
        result.Iteration.Should().Be(3);

        var metrics = new RunDirectory(run.RunDirectory).ReadMetrics();
        result.EnvSteps.Should().Be(metrics[^1].EnvSteps).And.Be(3 * 2 * 20);
        var episodes = metrics.Sum(m => m.Episodes);
        result.Evaluation.Source.Should().Be("training_metrics");
        p.EvaluationEpisodes.Should().Be(episodes);
        p.EvaluationSuccess.Should().BeApproximately(episodes == 0 ? 0 : metrics.Sum(m => m.SuccessRate * m.Episodes) / episodes, 1e-12);
    }

    [Fact]
    public void FromRun_WithEvaluate_RunsDeterministicEpisodesOnEveryTrainingLayout()
    {
        var result = Export(run.NewPath("evaluated"), evaluate: 3);

        result.Evaluation.Source.Should().Be("evaluation");
        result.Evaluation.Episodes.Should().Be(3 * 2);
        result.Evaluation.Layouts.Should().Equal("corridor-east", "turn-left");
        result.Manifest.Provenance.EvaluationEpisodes.Should().Be(6);
        result.Manifest.Provenance.EvaluationSuccess.Should().BeInRange(0, 1);
    }

    [Fact]
    public void FromRun_WithEvaluationLayouts_EvaluatesOnThoseLayoutsOnly()
    {
        var heldout = Path.Combine(MlshPaths.Layouts, "heldout", "s-bend.yaml");
        var result = HierarchyExport.FromRun(new RunExportOptions
        {
            RunDirectory = run.RunDirectory, OutDirectory = run.NewPath("heldout"), EvaluationEpisodes = 2, EvaluationLayouts = [heldout],
        });

        result.Evaluation.Layouts.Should().Equal("s-bend");
        result.Manifest.Provenance.EvaluationEpisodes.Should().Be(2);
    }

    [Fact]
    public void FromRun_RaisesConfigError_WhenEvaluationLayoutsAreGivenWithoutEpisodes()
    {
        var act = () => HierarchyExport.FromRun(new RunExportOptions
        {
            RunDirectory = run.RunDirectory, OutDirectory = run.NewPath("out"), EvaluationLayouts = ["layouts/heldout/s-bend.yaml"],
        });
        act.Should().Throw<ConfigException>().WithMessage("--eval-layout needs --evaluate <episodes per layout>*");
    }

    [Fact]
    public void FromRun_OrtOutputsEqualTrainerNetworks_Within1e5_OnRandomObservations()
    {
        var outDir = run.NewPath("parity");
        Export(outDir);
        using var trained = TrainedHierarchy.Load(run.RunDirectory, null);
        using var bundle = Load(outDir);

        var rng = new Random(11);
        const int obsSize = 37, joints = 8, k = TinyQuadrupedRun.SubPolicies;
        float[] obs = new float[obsSize], ort = new float[joints], mean = new float[joints], clipped = new float[joints];
        float[] normalized = new float[obsSize], ortLogits = new float[k], logits = new float[k];
        int[] choice = new int[1];
        float maxSub = 0, maxMaster = 0;
        for (var n = 0; n < 2000; n++)
        {
            // Every fourth observation is far outside the training statistics: exercises the normalizer clip.
            for (var i = 0; i < obsSize; i++) obs[i] = (n % 4 == 0 ? 50f : 3f) * (2f * rng.NextSingle() - 1f);
            var s = trained.SubPolicies[n % k];
            bundle.SubPolicies[n % k].Act(obs, ort);
            s.ActDeterministic(obs, 1, mean);
            s.ClipActions(mean, clipped);
            for (var j = 0; j < joints; j++)
                maxSub = MathF.Max(maxSub, MathF.Abs(ort[j] - (float)(Quadruped.Joints[j].DefaultPosition + Quadruped.Joints[j].ActionScale * clipped[j])));

            bundle.Master.Logits(obs, ortLogits);
            trained.Master.Normalizer.Normalize(obs, 1, normalized);
            trained.Master.PolicyNetwork.Infer(normalized, 1, logits);
            for (var j = 0; j < k; j++) maxMaster = MathF.Max(maxMaster, MathF.Abs(ortLogits[j] - logits[j]));
            trained.Master.ActDeterministic(obs, 1, choice);
            if (MathF.Abs(logits[0] - logits[1]) > 1e-4f) bundle.Master.Select(obs).Should().Be(choice[0]);
        }
        maxSub.Should().BeLessThanOrEqualTo(1e-5f, "max |ORT - trainer| joint target");
        maxMaster.Should().BeLessThanOrEqualTo(1e-5f, "max |ORT - trainer| master logit");
    }

    [Fact]
    public void FromRun_WithCheckpoint_ExportsThatIterationsNetworks()
    {
        var early = run.NewPath("early");
        var latest = run.NewPath("latest");
        Export(early, checkpoint: 1).Iteration.Should().Be(1);
        Export(latest).Iteration.Should().Be(3);

        ManifestYaml.Load(Path.Combine(early, ManifestYaml.FileName)).Provenance.Iterations.Should().Be(1);
        File.ReadAllBytes(Path.Combine(early, "sub_policy_0.onnx")).Should().NotEqual(File.ReadAllBytes(Path.Combine(latest, "sub_policy_0.onnx")),
            "iteration 1 and 3 sub-policies were trained for different amounts (a joint update happened in between)");
    }

    [Fact]
    public void FromRun_IntoExistingBundle_ReplacesIt()
    {
        var outDir = run.NewPath("replace");
        Export(outDir, checkpoint: 1);
        Export(outDir);

        ManifestYaml.Load(Path.Combine(outDir, ManifestYaml.FileName)).Provenance.Iterations.Should().Be(3);
        Directory.GetFileSystemEntries(Path.GetDirectoryName(outDir)!, $".{Path.GetFileName(outDir)}*").Should().BeEmpty("no staging or set-aside directory is left behind");
    }

    [Fact]
    public void FromRun_RaisesConfigError_WhenRunDirectoryIsMissing()
    {
        var missing = run.NewPath("no-such-run");
        var act = () => HierarchyExport.FromRun(new RunExportOptions { RunDirectory = missing, OutDirectory = run.NewPath("out") });
        act.Should().Throw<ConfigException>().WithMessage("*run directory not found*");
        Directory.Exists(missing).Should().BeFalse("a failed export must not create the run directory it was pointed at");
    }

    [Fact]
    public void FromRun_RaisesConfigError_WhenRunHasNoCheckpoint()
    {
        var empty = run.NewPath("empty-run");
        Directory.CreateDirectory(empty);
        File.Copy(Path.Combine(run.RunDirectory, "config.yaml"), Path.Combine(empty, "config.yaml"));
        var act = () => HierarchyExport.FromRun(new RunExportOptions { RunDirectory = empty, OutDirectory = run.NewPath("out") });
        act.Should().Throw<ConfigException>().WithMessage("*no checkpoint in the run directory (expected checkpoint.bin*");
    }

    [Fact]
    public void FromRun_RaisesConfigErrorListingAvailableIterations_WhenCheckpointKIsAbsent()
    {
        var act = () => Export(run.NewPath("out"), checkpoint: 2);
        act.Should().Throw<ConfigException>().WithMessage("*--checkpoint 2: no checkpoint at iteration 2; available: 1 (checkpoint-1.bin), 3 (checkpoint.bin)*");
    }

    [Fact]
    public void FromRun_RaisesConfigError_WhenCheckpointIsTruncated_AndWritesNothing()
    {
        var copy = run.NewPath("truncated-run");
        Directory.CreateDirectory(copy);
        File.Copy(Path.Combine(run.RunDirectory, "config.yaml"), Path.Combine(copy, "config.yaml"));
        var bytes = File.ReadAllBytes(Path.Combine(run.RunDirectory, "checkpoint.bin"));
        File.WriteAllBytes(Path.Combine(copy, "checkpoint.bin"), bytes[..(bytes.Length / 2)]);
        var outDir = run.NewPath("out");

        var act = () => HierarchyExport.FromRun(new RunExportOptions { RunDirectory = copy, OutDirectory = outDir });
        act.Should().Throw<ConfigException>().WithMessage("*checkpoint.bin: truncated or padded checkpoint*");
        Directory.Exists(outDir).Should().BeFalse();
    }

    [Fact]
    public void FromRun_RaisesConfigError_WhenOutputExistsAndIsNotAModelsDirectory_AndLeavesItUntouched()
    {
        var outDir = run.NewPath("user-data");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "notes.txt"), "mine");

        var act = () => Export(outDir);
        act.Should().Throw<ConfigException>().WithMessage("*--out exists and is not an Mlsh models directory*found: notes.txt*");
        Directory.GetFiles(outDir).Select(Path.GetFileName).Should().Equal("notes.txt");
        File.ReadAllText(Path.Combine(outDir, "notes.txt")).Should().Be("mine");
    }

    [Fact]
    public void FromRun_RaisesConfigError_WhenRunConfigIsNotAnMlshRobotRun()
    {
        var bandits = run.NewPath("bandits-run");
        Directory.CreateDirectory(bandits);
        File.Copy(Path.Combine(run.RunDirectory, "checkpoint.bin"), Path.Combine(bandits, "checkpoint.bin"));
        File.WriteAllText(Path.Combine(bandits, "config.yaml"),
            TinyQuadrupedRun.Config("movement_bandits", "").Replace("  layouts: []\n", "").Replace("  time_limit: 1\n", ""));

        var act = () => HierarchyExport.FromRun(new RunExportOptions { RunDirectory = bandits, OutDirectory = run.NewPath("out") });
        act.Should().Throw<ConfigException>().WithMessage("*task_family.kind*movement_bandits*export needs a robot task family*");
    }

    [Fact]
    public void FromRun_RaisesConfigError_WhenCheckpointWasWrittenUnderAnotherConfig()
    {
        var edited = run.NewPath("edited-run");
        Directory.CreateDirectory(edited);
        File.Copy(Path.Combine(run.RunDirectory, "checkpoint.bin"), Path.Combine(edited, "checkpoint.bin"));
        File.WriteAllText(Path.Combine(edited, "config.yaml"),
            File.ReadAllText(Path.Combine(run.RunDirectory, "config.yaml")).Replace("seed: 3", "seed: 4"));

        var act = () => HierarchyExport.FromRun(new RunExportOptions { RunDirectory = edited, OutDirectory = run.NewPath("out") });
        act.Should().Throw<ConfigException>().WithMessage("*written by a run with a different config*");
    }
}

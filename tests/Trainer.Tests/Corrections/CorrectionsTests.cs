using System.Globalization;
using System.Text;
using System.Text.Json;
using Mlsh.Core.Configuration;
using Mlsh.Environments.Discrete;
using Mlsh.NeuralNets;
using Mlsh.NeuralNets.Policies;
using Mlsh.Trainer.Corrections;
using Mlsh.Trainer.Mlsh;

namespace Mlsh.Trainer.Tests.Corrections;

public sealed class CorrectionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-corrections-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Observations a MovementBandits agent visits under random actions (what a deployed master would see).</summary>
    private static float[] VisitedObservations(int rows, out int size, ulong seed = 3)
    {
        var family = new MovementBanditsTaskFamily();
        using var env = family.CreateVectorEnv(4);
        env.Task = 0;
        env.Reset(seed);
        size = env.ObservationSize;
        var random = new SeededRandom(seed);
        var list = new List<float>();
        while (list.Count < rows * size)
        {
            for (var e = 0; e < 4; e++) env.ActionIndices[e] = random.NextInt(env.ActionSpace.Size);
            env.Step();
            list.AddRange(env.Observations.ToArray());
        }
        return list.Take(rows * size).ToArray();
    }

    /// <summary>The operator's rule: skill 1 when the agent is right of the median x, else skill 0 (balanced, learnable).</summary>
    private static int[] OperatorLabels(float[] obs, int size)
    {
        var rows = obs.Length / size;
        var xs = Enumerable.Range(0, rows).Select(i => obs[i * size]).OrderBy(v => v).ToArray();
        var median = xs[rows / 2];
        return Enumerable.Range(0, rows).Select(i => obs[i * size] > median ? 1 : 0).ToArray();
    }

    private string WriteLog(float[] obs, int size, int[] labels, string? tornTail = null)
    {
        var path = Path.Combine(_dir, $"overrides-{Guid.NewGuid():N}.jsonl");
        var sb = new StringBuilder();
        for (var i = 0; i < labels.Length; i++)
        {
            sb.Append(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                ["cycle"] = 50L * i,
                ["master_choice"] = 1 - labels[i],
                ["operator_choice"] = labels[i],
                ["operator"] = "ana",
                ["observation"] = obs.AsSpan(i * size, size).ToArray(),
            }));
            sb.Append('\n');
        }
        if (tornTail is not null) sb.Append(tornTail);
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    [Fact]
    public void CorrectionLog_ReadsEveryLabelledLine_AndSkipsOnlyATornLastLine()
    {
        var obs = VisitedObservations(20, out var size);
        var labels = OperatorLabels(obs, size);
        var path = WriteLog(obs, size, labels, tornTail: "{\"utc\":\"2026-11-22T01:00:00Z\",\"cycle\":1,\"master_ch");

        var set = CorrectionLog.Load(path, size, 2);

        set.Count.Should().Be(20);
        set.SkippedTornLines.Should().Be(1);
        set.Labels.Should().Equal(labels);
        set.MasterChoices.Should().Equal(labels.Select(l => 1 - l));
        set.Observation(7).ToArray().Should().Equal(obs.AsSpan(7 * size, size).ToArray());
    }

    [Fact]
    public void CorrectionLog_ABadLineInTheMiddle_IsAnErrorNamingTheLine()
    {
        var obs = VisitedObservations(3, out var size);
        var path = WriteLog(obs, size, [0, 1, 0]);
        var lines = File.ReadAllLines(path);
        lines[1] = lines[1].Replace("\"operator_choice\":1", "\"operator_choice\":5", StringComparison.Ordinal);
        File.WriteAllLines(path, lines);

        var act = () => CorrectionLog.Load(path, size, 2);
        act.Should().Throw<ConfigException>().WithMessage("*line 2*operator_choice*[0, 2)*");

        var wrongWidth = () => CorrectionLog.Load(WriteLog(obs, size, [0, 1, 0]), size + 1, 2);
        wrongWidth.Should().Throw<ConfigException>().WithMessage("*line 1*observation*");
    }

    [Fact]
    public void BehaviourCloning_MovesTheMastersChoiceTowardTheLabels_OnTheLoggedObservations()
    {
        var obs = VisitedObservations(256, out var size);
        var set = CorrectionLog.Load(WriteLog(obs, size, OperatorLabels(obs, size)), size, 2);
        var master = new CategoricalActorCritic(new ActorCriticOptions { ObservationSize = size, ActionSize = 2, HiddenSizes = [16], Seed = 5 });
        master.Normalizer.Update(set.Observations, set.Count);
        var before = BehaviourCloning.Agreement(master, set);
        var nllBefore = BehaviourCloning.NegativeLogLikelihood(master, set);

        var bc = new BehaviourCloning(set, learningRate: 3e-3f, epochs: 40, minibatch: 32, seed: 1);
        bc.Update(master);

        var after = BehaviourCloning.Agreement(master, set);
        after.Should().BeGreaterThan(0.9, $"the labels follow a threshold on x; agreement went {before:F2} → {after:F2}");
        after.Should().BeGreaterThan(before + 0.2);
        BehaviourCloning.NegativeLogLikelihood(master, set).Should().BeLessThan(nllBefore * 0.5);
    }

    [Fact]
    public void RetuneWithCorrections_OnTheShippedPointMassBundle_WritesAPushableOnnxBundle_FromTheDeployedMaster()
    {
        var models = Path.Combine(Core.MlshPaths.Root, "models", "pointmass");
        var (description, _, _) = ModelsDirectory.Load(models);
        // Labels on states spread over the maze: skill 2 when x > 0, else skill 0.
        var random = new SeededRandom(4);
        var obs = new float[120 * description.ObservationSize];
        for (var i = 0; i < obs.Length; i++) obs[i] = random.NextFloat() * 2 - 1;
        var labels = Enumerable.Range(0, 120).Select(i => obs[i * description.ObservationSize] > 0 ? 2 : 0).ToArray();
        var log = WriteLog(obs, description.ObservationSize, labels);
        var outDir = Path.Combine(_dir, "pointmass-corrected");

        var summary = CorrectionRetuner.Run(
            new RetuneOptions { Subpolicies = models, Layout = Path.Combine(Core.MlshPaths.Root, "layouts", "heldout", "loop.yaml"), OutDirectory = outDir, Iterations = 2, EvalEpisodes = 2 },
            new CorrectionOptions { LogPath = log });

        summary.StartedFromDeployedMaster.Should().BeTrue();
        summary.AgreementAfter.Should().BeGreaterThan(summary.AgreementBefore + 0.2, $"{summary.AgreementBefore:F2} → {summary.AgreementAfter:F2}");
        File.Exists(Path.Combine(outDir, "master.onnx")).Should().BeTrue("the runtime shadows or loads this file");
        var manifest = Onnx.Manifest.ManifestYaml.Load(Path.Combine(outDir, Onnx.Manifest.ManifestYaml.FileName));
        manifest.Models.Master.Sha256.Should().Be(Onnx.Manifest.ModelHash.Sha256Hex(File.ReadAllBytes(Path.Combine(outDir, "master.onnx"))));
        manifest.Provenance.Config.Should().Contain("corrections");
        var (_, _, written) = ModelsDirectory.Load(outDir);
        BehaviourCloning.Agreement(written!, CorrectionLog.Load(log, description.ObservationSize, 4)).Should().BeApproximately(summary.AgreementAfter, 1e-9);
    }

    [Fact]
    public void RetuneWithCorrections_FrozenSubpolicies_MasterAgreesWithTheOperatorsFarMoreThanAPlainRetune()
    {
        var config = Path.Combine(_dir, "bandits.yaml");
        File.WriteAllText(config, File.ReadAllText(Path.Combine(Core.MlshPaths.Root, "configs", "movement-bandits-mlsh.yaml"))
            .Replace("iterations: 1500", "iterations: 4", StringComparison.Ordinal)
            .Replace("envs: 64", "envs: 2", StringComparison.Ordinal));
        var run = Path.Combine(_dir, "run");
        TrainingRun.Run(new TrainRunOptions { ConfigPath = config, OutDirectory = run });
        var (_, trained, _) = ModelsDirectory.Load(run);

        var obs = VisitedObservations(200, out var size, seed: 11);
        var log = WriteLog(obs, size, OperatorLabels(obs, size));
        var options = new RetuneOptions { Subpolicies = run, Task = 0, OutDirectory = Path.Combine(_dir, "corrected"), Iterations = 3, EvalEpisodes = 4 };
        var summary = CorrectionRetuner.Run(options, new CorrectionOptions { LogPath = log, EpochsPerIteration = 10, LearningRate = 3e-3f });
        var plain = Retuner.Run(new RetuneOptions { Subpolicies = run, Task = 0, OutDirectory = Path.Combine(_dir, "plain"), Iterations = 3, EvalEpisodes = 4 });

        summary.Corrections.Should().Be(200);
        summary.AgreementAfter.Should().BeGreaterThan(0.85, $"agreement {summary.AgreementBefore:F2} → {summary.AgreementAfter:F2}");
        summary.AgreementAfter.Should().BeGreaterThan(summary.AgreementBefore + 0.2);
        summary.NllAfter.Should().BeLessThan(summary.NllBefore);

        // Measured on the logged observations, from the written models directories: the corrections made the difference.
        var set = CorrectionLog.Load(log, size, 2);
        var (_, correctedSubs, corrected) = ModelsDirectory.Load(summary.Retune.OutDirectory);
        var (_, _, plainMaster) = ModelsDirectory.Load(plain.OutDirectory);
        BehaviourCloning.Agreement(corrected!, set).Should().BeApproximately(summary.AgreementAfter, 1e-9);
        BehaviourCloning.Agreement(corrected!, set).Should().BeGreaterThan(BehaviourCloning.Agreement(plainMaster!, set) + 0.2);

        // The sub-policies stayed frozen.
        for (var k = 0; k < trained.Length; k++)
            correctedSubs[k].Parameters.ToArray().Should().Equal(trained[k].Parameters.ToArray(), $"sub-policy {k} is frozen");
    }
}

using System.Diagnostics;
using Mlsh.Core;
using Mlsh.Trainer.Mlsh;

namespace Mlsh.Trainer.Tests.Export;

/// <summary>
/// A real, tiny quadruped MLSH run trained once per test class by the real trainer: 2 training layouts,
/// 2 instances × 20 agent steps, K = 2 sub-policies, macro step 10, 3 iterations with a checkpoint after
/// every one. The checkpoint after iteration 1 is kept as checkpoint-1.bin; checkpoint.bin holds iteration 3.
/// </summary>
public sealed class TinyQuadrupedRun : IDisposable
{
    public const int MacroSteps = 10;
    public const int SubPolicies = 2;

    public TinyQuadrupedRun()
    {
        Root = Directory.CreateTempSubdirectory("mlsh-export-test-").FullName;
        RunDirectory = Path.Combine(Root, "run");
        ConfigFile = Path.Combine(Root, "tiny-quadruped.yaml");
        File.WriteAllText(ConfigFile, Config("quadruped_maze", Layouts("corridor-east", "turn-left")));
        TrainingRun.Run(new TrainRunOptions { ConfigPath = ConfigFile, OutDirectory = RunDirectory }, (m, _) =>
        {
            // Called before this iteration's checkpoint is written: checkpoint.bin still holds iteration m.Iteration.
            if (m.Iteration == 1) File.Copy(Path.Combine(RunDirectory, "checkpoint.bin"), Path.Combine(RunDirectory, "checkpoint-1.bin"));
        });
    }

    public string Root { get; }
    public string RunDirectory { get; }
    public string ConfigFile { get; }

    /// <summary>A fresh directory path under the fixture's root (not created).</summary>
    public string NewPath(string name) => Path.Combine(Root, $"{name}-{Guid.NewGuid():N}");

    /// <summary>Absolute paths of shipped training layouts (absolute so that the run's config.yaml resolves anywhere).</summary>
    public static string Layouts(params string[] names) =>
        string.Join(", ", names.Select(n => $"\"{Path.Combine(MlshPaths.Layouts, "train", n + ".yaml")}\""));

    public static string Config(string kind, string layouts, string algorithm = "mlsh") => $$"""
        algorithm: {{algorithm}}
        task_family:
          kind: {{kind}}
          layouts: [{{layouts}}]
          time_limit: 1
        seed: 3
        iterations: 3
        envs: 2
        rollout_steps: 20
        hierarchy:
          subpolicies: {{SubPolicies}}
          macro_steps: {{MacroSteps}}
          warmup_iterations: 1
          joint_iterations: 1
        master:
          hidden: [16]
          learning_rate: 0.01
          epochs: 1
          minibatch_size: 8
        subpolicy:
          hidden: [16, 16]
          learning_rate: 0.001
          epochs: 1
          minibatch_size: 20
          initial_log_std: -0.5
        checkpoint_every: 1
        plot_every: 100
        """;

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException e) { Debug.WriteLine($"temp dir left behind: {e.Message}"); }
    }
}

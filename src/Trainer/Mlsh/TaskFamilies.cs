using Mlsh.Core;
using Mlsh.Core.Configuration;
using Mlsh.Environments;
using Mlsh.Environments.Discrete;
using Mlsh.Environments.Tasks;
using Mlsh.Trainer.Configuration;

namespace Mlsh.Trainer.Mlsh;

/// <summary>Builds the <see cref="ITaskFamily"/> a config names.</summary>
public static class TaskFamilies
{
    /// <param name="config">The task_family section.</param>
    /// <param name="configFile">Names the file in errors.</param>
    public static ITaskFamily Create(TaskFamilyConfig config, string configFile)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Kind switch
        {
            "movement_bandits" => new MovementBanditsTaskFamily(config.EpisodeSteps > 0 ? new MovementBanditsOptions(EpisodeSteps: config.EpisodeSteps) : null),
            "four_rooms" => new FourRoomsTaskFamily(config.EpisodeSteps > 0 ? new FourRoomsOptions(config.EpisodeSteps) : null),
            "pointmass_maze" or "quadruped_maze" => CreateMaze(RobotOf(config.Kind), config.Layouts.Select(ResolvePath).ToArray(), config),
            _ => throw new ConfigException($"key 'task_family.kind': got '{config.Kind}'; expected one of: {string.Join(", ", TaskFamilyConfig.Kinds)}", configFile),
        };
    }

    /// <summary>A maze family for <paramref name="robot"/> ("quadruped" or "pointmass") over layout files, with the
    /// reward settings of <paramref name="config"/>.</summary>
    public static MazeTaskFamily CreateMaze(string robot, IReadOnlyList<string> layoutPaths, TaskFamilyConfig config) =>
        MazeTaskFamily.Create(robot, layoutPaths, new MazeTaskOptions
        {
            TimeLimit = config.TimeLimit > 0 ? config.TimeLimit : null,
            ProgressReward = config.ProgressReward,
            SuccessBonus = config.SuccessBonus,
            FallPenalty = config.FallPenalty,
            StepReward = config.StepReward,
            StartHeadingSpread = config.StartHeadingSpread,
        });

    /// <summary>The robot of a maze family kind: quadruped_maze → quadruped.</summary>
    public static string RobotOf(string kind) => kind switch
    {
        "quadruped_maze" => "quadruped",
        "pointmass_maze" => "pointmass",
        _ => throw new ArgumentException($"'{kind}' is not a maze family (pointmass_maze, quadruped_maze)", nameof(kind)),
    };

    /// <summary>A layout path from a config: absolute, or relative to the repository root.</summary>
    public static string ResolvePath(string path) => Path.IsPathRooted(path) ? path : Path.Combine(MlshPaths.Root, path);

    /// <summary>The tasks to sample from: the config's list, or every task of the family.</summary>
    public static int[] TaskList(TaskFamilyConfig config, ITaskFamily family, string configFile)
    {
        if (config.Tasks.Count == 0) return Enumerable.Range(0, family.TaskCount).ToArray();
        foreach (var t in config.Tasks)
            if (t >= family.TaskCount)
                throw new ConfigException($"key 'task_family.tasks': got {t}; expected task indices in [0, {family.TaskCount - 1}] for {family.Name}", configFile);
        return config.Tasks.ToArray();
    }
}

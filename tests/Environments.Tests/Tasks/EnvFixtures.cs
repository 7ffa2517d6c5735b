using Mlsh.Core;
using Mlsh.Environments.Robots;
using Mlsh.Environments.Tasks;
using Mlsh.Environments.Mazes;

namespace Mlsh.Environments.Tests.Tasks;

/// <summary>Families shared by the environment tests (compiling MJCF is the slow part).</summary>
internal static class EnvFixtures
{
    private static readonly Lazy<MazeTaskFamily> QuadrupedLazy = new(() =>
        MazeTaskFamily.Create("quadruped", [Layout("train/corridor-east.yaml"), Layout("train/maze-01.yaml")]));
    private static readonly Lazy<MazeTaskFamily> PointMassLazy = new(() =>
        MazeTaskFamily.Create("pointmass", [Layout("train/corridor-east.yaml"), Layout("train/maze-01.yaml")]));

    public static MazeTaskFamily Quadruped => QuadrupedLazy.Value;
    public static MazeTaskFamily PointMass => PointMassLazy.Value;

    public static string Layout(string relative) => Path.Combine(MlshPaths.Layouts, relative);

    public static MazeTaskFamily Tiny(string robot, string grid, MazeTaskOptions? options = null, double cellSize = 1.5, string extra = "") =>
        MazeTaskFamily.Create(RobotConfig.LoadShipped(robot),
            [MazeLayout.Parse($"name: tiny\ncell_size: {cellSize}\n{extra}grid: |\n" + string.Concat(grid.Split('/').Select(r => "  " + r + "\n")), "tiny.yaml")],
            options);
}

using Mlsh.Core;
using Mlsh.Environments.Mazes;
using Mlsh.Environments.Robots;
using Mlsh.SimBridge.Simulation;

namespace Mlsh.SimBridge.Tests.TestSupport;

public static class Robots
{
    public static MazeLayout Layout(string name = "maze-01", string split = "train") =>
        MazeLayout.Load(Path.Combine(MlshPaths.Layouts, split, name + ".yaml"));

    /// <summary>The shipped quadruped in a shipped maze; dispose it.</summary>
    public static SimulatedRobot Quadruped(string layout = "maze-01") => new(RobotConfig.LoadShipped("quadruped"), Layout(layout));

    public static readonly double[] StandingPose = [0, 1, 0, 1, 0, 1, 0, 1];
}

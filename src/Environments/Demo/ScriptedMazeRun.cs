using Mlsh.Environments.Gaits;
using Mlsh.Environments.Observations;
using Mlsh.Environments.Tasks;

namespace Mlsh.Environments.Demo;

/// <summary>What one scripted episode did.</summary>
/// <param name="Layout">Layout name.</param>
/// <param name="StartX">Start position (m, world frame; the start cell centre is the origin).</param>
/// <param name="GoalX">Goal cell centre (m).</param>
/// <param name="FinalX">Base position when the episode ended (m).</param>
/// <param name="StartPathDistance">Walking distance from the start to the goal (m).</param>
/// <param name="FinalPathDistance">Walking distance left when the episode ended (m).</param>
/// <param name="CellsToGo">Cells left along the shortest path when the episode ended.</param>
/// <param name="Steps">Policy steps taken.</param>
/// <param name="PhysicsSteps">mj_step calls taken.</param>
/// <param name="SimSeconds">Simulated time (s).</param>
/// <param name="End">Why the episode ended.</param>
/// <param name="Divergences">Physics divergences caught.</param>
/// <param name="TotalReward">Sum of rewards.</param>
public sealed record ScriptedRunResult(
    string Layout, double StartX, double StartY, double GoalX, double GoalY, double FinalX, double FinalY,
    double StartPathDistance, double FinalPathDistance, int CellsToGo, int Steps, long PhysicsSteps, double SimSeconds,
    EpisodeEnd End, long Divergences, double TotalReward);

/// <summary>
/// The interim demo: the quadruped trots through a maze open-loop (no learned policy), steered toward the
/// next cell of the shortest path by a proportional heading law mixed into the gait. Everything goes through
/// the real environment (maze MJCF, PD law at 500 Hz, rewards, episode ends).
/// </summary>
public static class ScriptedMazeRun
{
    /// <param name="layoutPath">A layout YAML file.</param>
    /// <param name="seed">Reset-noise seed.</param>
    /// <param name="onStep">Optional callback per policy step: (step, x, y, path distance).</param>
    public static ScriptedRunResult Run(string layoutPath, ulong seed = 0, Action<int, double, double, double>? onStep = null)
    {
        using var family = MazeTaskFamily.Create("quadruped", [layoutPath]);
        using var env = family.CreateVectorEnv(1);
        env.Reset(seed);
        var layout = env.CurrentTask.Layout;
        var frame = layout.Frame;
        var gait = new TrotGait(family.Robot);
        var dt = family.Robot.PolicyDt;
        var obsLayout = env.ObservationLayout;
        var xy = obsLayout[ObservationLayout.BasePositionXy].Offset;
        var yawOffset = obsLayout[ObservationLayout.BaseYawCosSin].Offset;
        double startX = env.Positions[0], startY = env.Positions[1];
        var startDistance = env.DistancesToGoal[0];
        var (goalX, goalY) = frame.CellCenter(layout.Goal);
        double total = 0;
        var steps = 0;
        while (true)
        {
            double x = env.Positions[0], y = env.Positions[1];
            var yaw = Math.Atan2(env.Observations[yawOffset + 1], env.Observations[yawOffset]);
            var (tx, ty) = layout.NextWaypoint(x, y);
            var error = WrapAngle(Math.Atan2(ty - y, tx - x) - yaw);
            // Turn on the spot when badly misaligned, trot forward while correcting small errors.
            var turn = Math.Clamp(1.2 * error, -0.5, 0.5);
            var forward = Math.Max(0, Math.Cos(error));
            gait.WriteActions(steps * dt, forward, turn, env.Actions);
            env.Step();
            steps++;
            total += env.Rewards[0];
            var end = env.EpisodeEnds[0];
            if (end == EpisodeEnd.None)
            {
                onStep?.Invoke(steps, env.Positions[0], env.Positions[1], env.DistancesToGoal[0]);
                continue;
            }
            // The instance has already been reset: read the final state from FinalObservations.
            double fx = env.FinalObservations[xy], fy = env.FinalObservations[xy + 1];
            var finalDistance = env.CurrentTask.Distance.DistanceToGoal(fx, fy);
            onStep?.Invoke(steps, fx, fy, finalDistance);
            var cell = frame.CellAt(fx, fy);
            var cellsToGo = layout.Distances.IsReachable(cell) ? layout.Distances[cell] : -1;
            return new ScriptedRunResult(layout.Name, startX, startY, goalX, goalY, fx, fy, startDistance, finalDistance,
                cellsToGo, steps, env.PhysicsSteps, steps * dt, end, env.DivergenceCount, total);
        }
    }

    private static double WrapAngle(double a) => Math.Atan2(Math.Sin(a), Math.Cos(a));
}

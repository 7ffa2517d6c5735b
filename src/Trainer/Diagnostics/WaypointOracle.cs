using Mlsh.Environments.Mazes;

namespace Mlsh.Trainer.Diagnostics;

/// <summary>
/// A scripted master for maze layouts: at every macro step it heads for the next cell centre along the shortest path
/// (<see cref="MazeLayout.NextWaypoint"/>) and picks the sub-policy whose probed mean displacement points closest to
/// that direction. Answers "can these skills solve this layout at all?", so that a failed retune can be blamed on the
/// skills or on the master's learning.
/// </summary>
/// <remarks>
/// DESIGN: it knows the maze, which a learned master does not, but it uses each skill only as the probe saw it (one
/// mean direction, from open ground, facing the start heading); so it is a practical reference for the skills, not
/// an upper bound on every master. Stateless; the returned function is thread-safe.
/// </remarks>
public static class WaypointOracle
{
    /// <exception cref="ArgumentException">no probed sub-policy moved the robot.</exception>
    public static Func<float, float, int> For(MazeLayout layout, IReadOnlyList<SkillProbeResult> skills)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(skills);
        var directions = skills
            .Where(s => s.MacroSteps > 0 && (s.MeanDx != 0 || s.MeanDy != 0))
            .Select(s => (s.Subpolicy, Ux: s.MeanDx / Math.Sqrt(s.MeanDx * s.MeanDx + s.MeanDy * s.MeanDy), Uy: s.MeanDy / Math.Sqrt(s.MeanDx * s.MeanDx + s.MeanDy * s.MeanDy)))
            .ToArray();
        if (directions.Length == 0) throw new ArgumentException("no probed sub-policy moved the robot: there is no skill to follow a path with", nameof(skills));
        return (x, y) =>
        {
            var (wx, wy) = layout.NextWaypoint(x, y);
            double dx = wx - x, dy = wy - y;
            var best = directions[0].Subpolicy;
            var bestCos = double.NegativeInfinity;
            foreach (var (k, ux, uy) in directions)
            {
                var cos = ux * dx + uy * dy;
                if (cos > bestCos)
                {
                    bestCos = cos;
                    best = k;
                }
            }
            return best;
        };
    }
}

using Mlsh.Environments.Mazes;
using Mlsh.Environments.Observations;
using Mlsh.NeuralNets.Policies;
using Mlsh.Trainer.Mlsh;

namespace Mlsh.Trainer.Diagnostics;

/// <summary>How the waypoint oracle reads a probed skill: as a world direction or as a direction relative to the body.</summary>
public enum SkillFrame
{
    /// <summary>The skill walks one compass direction wherever the robot faces (its probed world displacement).</summary>
    World,
    /// <summary>The skill walks one direction relative to where the robot faces (its probed body-frame displacement),
    /// e.g. "forward" or "veer left": an egocentric skill that cannot see the heading.</summary>
    Body,
}

/// <summary>
/// A scripted master for maze layouts: at every macro step it heads for the next cell centre along the shortest path
/// (<see cref="MazeLayout.NextWaypoint"/>) and picks the sub-policy whose probed mean displacement points closest to
/// that direction. Answers "can these skills solve this layout at all?", so that a failed retune can be blamed on the
/// skills or on the master's learning.
/// </summary>
/// <remarks>
/// DESIGN: it knows the maze, which a learned master does not, but it uses each skill only as the probe saw it (one
/// mean direction, from open ground, in the world or in the body frame); so it is a practical reference for the skills,
/// not an upper bound on every master. Stateless; the returned function is thread-safe.
/// </remarks>
public static class WaypointOracle
{
    /// <param name="frame">Body: each skill's direction is its probed body-frame displacement turned by the robot's heading
    /// at the macro step (read from the observation's base_yaw_cos_sin).</param>
    /// <exception cref="ArgumentException">no probed sub-policy moved the robot, or a body frame without body-frame probes.</exception>
    public static ScriptedMaster For(MazeLayout layout, IReadOnlyList<SkillProbeResult> skills, SkillFrame frame = SkillFrame.World)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(skills);
        if (frame == SkillFrame.Body && skills.Any(s => s.MacroSteps > 0 && double.IsNaN(s.MeanForward)))
            throw new ArgumentException("a body-frame oracle needs probes with a heading (maze robots)", nameof(skills));
        var directions = skills
            .Where(s => s.MacroSteps > 0)
            .Select(s => frame == SkillFrame.World ? (s.Subpolicy, X: s.MeanDx, Y: s.MeanDy) : (s.Subpolicy, X: s.MeanForward, Y: s.MeanLeft))
            .Where(s => s.X != 0 || s.Y != 0)
            .Select(s => (s.Subpolicy, Ux: s.X / Math.Sqrt(s.X * s.X + s.Y * s.Y), Uy: s.Y / Math.Sqrt(s.X * s.X + s.Y * s.Y)))
            .ToArray();
        if (directions.Length == 0) throw new ArgumentException("no probed sub-policy moved the robot: there is no skill to follow a path with", nameof(skills));
        var yawAt = new ObservationLayout(0, 1)[ObservationLayout.BaseYawCosSin].Offset;
        return (x, y, observation) =>
        {
            var (wx, wy) = layout.NextWaypoint(x, y);
            double dx = wx - x, dy = wy - y;
            if (frame == SkillFrame.Body)
            {
                // The waypoint in the body frame: rotate by −yaw.
                double c = observation[yawAt], s = observation[yawAt + 1];
                (dx, dy) = (c * dx + s * dy, -s * dx + c * dy);
            }
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

    /// <summary>Body when every sub-policy's actions ignore the heading (its first-layer weights on base_yaw_cos_sin
    /// are all zero, as hierarchy.subpolicy_ignores leaves them), else World.</summary>
    public static SkillFrame FrameOf(IReadOnlyList<ActorCritic> subpolicies, ObservationLayout layout)
    {
        ArgumentNullException.ThrowIfNull(subpolicies);
        ArgumentNullException.ThrowIfNull(layout);
        var yaw = layout[ObservationLayout.BaseYawCosSin];
        foreach (var p in subpolicies)
        {
            var first = p.PolicyNetwork.Layers[0];
            var rows = first.Weights.Slice(yaw.Offset * first.OutputSize, yaw.Size * first.OutputSize);
            if (rows.ContainsAnyExcept(0f)) return SkillFrame.World;
        }
        return SkillFrame.Body;
    }
}

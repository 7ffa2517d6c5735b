using Mlsh.Environments;
using Mlsh.NeuralNets;
using Mlsh.NeuralNets.Policies;

namespace Mlsh.Trainer.Diagnostics;

/// <summary>What one sub-policy does when it alone drives the robot (<see cref="SkillProbe.Run"/>).</summary>
/// <param name="Subpolicy">Index of the sub-policy.</param>
/// <param name="MacroSteps">Completed macro steps measured (over all episodes; a macro step cut by a fall is not counted).</param>
/// <param name="MeanDx">Mean displacement along world x per macro step (m).</param>
/// <param name="MeanDy">Mean displacement along world y per macro step (m).</param>
/// <param name="MeanDistance">Mean length of the displacement per macro step (m), whatever its direction.</param>
/// <param name="Consistency">Length of the mean of the unit displacement directions, in [0, 1]: 1 when every macro step
/// moved the same way, near 0 when the directions are spread (turning on the spot, wandering).</param>
/// <param name="Falls">Episodes that ended in failure (a fall) while the sub-policy drove; an episode that ends early
/// stops contributing macro steps either way.</param>
/// <param name="Paths">Per episode, the planar positions at every macro boundary, start first (m, relative to the start).</param>
public sealed record SkillProbeResult(int Subpolicy, int MacroSteps, double MeanDx, double MeanDy, double MeanDistance,
    double Consistency, int Falls, IReadOnlyList<IReadOnlyList<(float X, float Y)>> Paths)
{
    /// <summary>Direction of the mean displacement, degrees counter-clockwise from world +x (east); NaN when it did not move.</summary>
    public double HeadingDegrees => MeanDx == 0 && MeanDy == 0 ? double.NaN : Math.Atan2(MeanDy, MeanDx) * 180 / Math.PI;

    /// <summary>Mean displacement per macro step along the body's x axis (forward) as it was at the macro step's start
    /// (m); NaN when the observation has no heading (discrete families).</summary>
    public double MeanForward { get; init; } = double.NaN;
    /// <summary>The same along the body's y axis (left), m.</summary>
    public double MeanLeft { get; init; } = double.NaN;
    /// <summary><see cref="Consistency"/> of the displacements in that body frame: 1 when every macro step went the same
    /// way relative to where the robot faced (an egocentric skill), whatever the world direction.</summary>
    public double BodyConsistency { get; init; } = double.NaN;
    /// <summary>Mean heading change per macro step, degrees counter-clockwise (a turning skill); NaN without a heading.</summary>
    public double MeanTurnDegrees { get; init; } = double.NaN;
    /// <summary>Direction of the body-frame mean displacement, degrees counter-clockwise from forward.</summary>
    public double BodyHeadingDegrees => double.IsNaN(MeanForward) || (MeanForward == 0 && MeanLeft == 0) ? double.NaN : Math.Atan2(MeanLeft, MeanForward) * 180 / Math.PI;
}

/// <summary>
/// Answers "which skill did each sub-policy become?" (issue: plot the sub-policies' displacement directions):
/// runs every sub-policy on its own, without a master, from the task's start for a fixed number of macro steps,
/// and records where it takes the robot. Deterministic for a seed; single-threaded.
/// </summary>
/// <remarks>
/// DESIGN: a probe run rather than the training statistics. During training a sub-policy runs only where its
/// master sends it, so its mean displacement mixes the skill with the layouts' geometry (a "walk east" skill that
/// masters only use in corridors that end looks short). Driving each sub-policy alone in an open arena from the
/// same start shows the behaviour itself; the positions are the environment's own (<see cref="IVectorEnv.Positions"/>).
/// Actions are the policies' most probable ones, as in deployment.
/// </remarks>
public static class SkillProbe
{
    /// <param name="family">Task family whose task <paramref name="task"/> is the arena.</param>
    /// <param name="macroSteps">Agent steps per macro step (the hierarchy's N).</param>
    /// <param name="macrosPerEpisode">Macro steps each sub-policy drives per episode.</param>
    /// <param name="episodes">Episodes per sub-policy (run side by side).</param>
    public static IReadOnlyList<SkillProbeResult> Run(ITaskFamily family, int task, IReadOnlyList<ActorCritic> subpolicies,
        int macroSteps, int macrosPerEpisode, int episodes, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(subpolicies);
        ArgumentOutOfRangeException.ThrowIfLessThan(subpolicies.Count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(macroSteps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(macrosPerEpisode, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(episodes, 1);
        using var env = family.CreateVectorEnv(episodes);
        if (env.ObservationSize != subpolicies[0].ObservationSize)
            throw new ArgumentException($"the sub-policies take {subpolicies[0].ObservationSize} observations, {family.Name} gives {env.ObservationSize}");
        env.Task = task;
        var obsSize = env.ObservationSize;
        var discrete = env.ActionSpace.Kind == ActionKind.Discrete;
        var width = discrete ? 1 : env.ActionSpace.Size;
        var actions = new float[episodes * width];
        var indices = new int[episodes];
        // The heading, where the observation has one (maze robots): for the body-frame statistics.
        var yawAt = (family as Environments.Tasks.MazeTaskFamily)?.ObservationLayout[Environments.Observations.ObservationLayout.BaseYawCosSin].Offset ?? -1;
        var yaw = new double[episodes];
        var results = new List<SkillProbeResult>(subpolicies.Count);
        for (var k = 0; k < subpolicies.Count; k++)
        {
            // Every sub-policy starts from the same states: the same seed resets the same initial poses.
            env.Reset(seed);
            var paths = new List<(float X, float Y)>[episodes];
            var alive = new bool[episodes];
            var start = new (float X, float Y)[episodes];
            var pos = env.Positions;
            for (var e = 0; e < episodes; e++)
            {
                start[e] = (pos[2 * e], pos[2 * e + 1]);
                paths[e] = [(0f, 0f)];
                alive[e] = true;
            }
            int measured = 0, falls = 0;
            double sumDx = 0, sumDy = 0, sumDistance = 0, sumUx = 0, sumUy = 0;
            double sumF = 0, sumL = 0, sumUf = 0, sumUl = 0, sumTurn = 0;
            for (var m = 0; m < macrosPerEpisode; m++)
            {
                if (yawAt >= 0)
                    for (var e = 0; e < episodes; e++) yaw[e] = YawOf(env.Observations, e * obsSize + yawAt);
                for (var s = 0; s < macroSteps; s++)
                {
                    var obs = env.Observations;
                    switch (subpolicies[k])
                    {
                        case CategoricalActorCritic c:
                            c.ActDeterministic(obs, episodes, indices);
                            indices.CopyTo(env.ActionIndices);
                            break;
                        case GaussianActorCritic g:
                            g.ActDeterministic(obs, episodes, actions);
                            for (var e = 0; e < episodes; e++)
                                g.ClipActions(actions.AsSpan(e * width, width), env.Actions.Slice(e * width, width));
                            break;
                        default:
                            throw new ArgumentException($"unsupported policy type {subpolicies[k].GetType().Name}", nameof(subpolicies));
                    }
                    env.Step();
                    for (var e = 0; e < episodes; e++)
                    {
                        if (!alive[e] || (!env.Terminated[e] && !env.Truncated[e])) continue;
                        // The instance was reset inside Step: what follows belongs to another episode.
                        alive[e] = false;
                        if (env.Terminated[e] && !env.Succeeded[e]) falls++;
                    }
                }
                pos = env.Positions;
                for (var e = 0; e < episodes; e++)
                {
                    if (!alive[e]) continue;
                    var p = (X: pos[2 * e] - start[e].X, Y: pos[2 * e + 1] - start[e].Y);
                    var previous = paths[e][^1];
                    double dx = p.X - previous.X, dy = p.Y - previous.Y, d = Math.Sqrt(dx * dx + dy * dy);
                    paths[e].Add(p);
                    measured++;
                    sumDx += dx;
                    sumDy += dy;
                    sumDistance += d;
                    if (d > 0)
                    {
                        sumUx += dx / d;
                        sumUy += dy / d;
                    }
                    if (yawAt < 0) continue;
                    double c = Math.Cos(yaw[e]), sn = Math.Sin(yaw[e]);
                    double f = c * dx + sn * dy, l = -sn * dx + c * dy;
                    sumF += f;
                    sumL += l;
                    if (d > 0)
                    {
                        sumUf += f / d;
                        sumUl += l / d;
                    }
                    sumTurn += Math.IEEERemainder(YawOf(env.Observations, e * obsSize + yawAt) - yaw[e], 2 * Math.PI);
                }
            }
            var result = measured == 0
                ? new SkillProbeResult(k, 0, 0, 0, 0, 0, falls, paths)
                : new SkillProbeResult(k, measured, sumDx / measured, sumDy / measured, sumDistance / measured,
                    Math.Sqrt(sumUx * sumUx + sumUy * sumUy) / measured, falls, paths);
            if (measured > 0 && yawAt >= 0)
                result = result with
                {
                    MeanForward = sumF / measured, MeanLeft = sumL / measured,
                    BodyConsistency = Math.Sqrt(sumUf * sumUf + sumUl * sumUl) / measured, MeanTurnDegrees = sumTurn / measured * 180 / Math.PI,
                };
            results.Add(result);
        }
        return results;
    }

    private static double YawOf(ReadOnlySpan<float> observations, int at) => Math.Atan2(observations[at + 1], observations[at]);
}

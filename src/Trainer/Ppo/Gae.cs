namespace Mlsh.Trainer.Ppo;

/// <summary>
/// Generalized advantage estimation, GAE(γ, λ), with explicit boundaries so that advantages never chain
/// across an episode end or across a change of the acting network.
/// </summary>
/// <remarks>
/// For step t of one trajectory column, the successor value is V(s_{t+1}) = values[t+1] unless t is a
/// <b>boundary</b>: segmentEnds[t] or terminated[t] is set, or t is the column's last step. At a boundary:
/// <list type="bullet">
/// <item>terminated[t] (goal reached, robot fell): next value 0, no bootstrap;</item>
/// <item>otherwise next value = bootstrapValues[t], supplied by the caller: V(final observation) on a
/// time-limit truncation; on an MLSH master switch, the value of s_{t+1} under the network whose segment
/// ends (a sub-policy must not bootstrap from another sub-policy's value — openai/mlsh issue #7); at the
/// end of the rollout, V(s_T) of the acting network.</item>
/// </list>
/// δ_t = r_t + γ·next_t − V(s_t); A_t = δ_t + γλ·A_{t+1} (A_{t+1} = 0 at a boundary); return_t = A_t + V(s_t).
/// bootstrapValues is read only at boundaries. Allocation-free; deterministic.
/// </remarks>
public static class Gae
{
    /// <summary>GAE over one trajectory column of <c>rewards.Length</c> steps.</summary>
    public static void Compute(ReadOnlySpan<float> rewards, ReadOnlySpan<float> values, ReadOnlySpan<bool> segmentEnds,
        ReadOnlySpan<bool> terminated, ReadOnlySpan<float> bootstrapValues, float gamma, float lambda,
        Span<float> advantages, Span<float> returns)
    {
        var steps = rewards.Length;
        ComputeTimeMajor(steps, 1, rewards, values, segmentEnds, terminated, bootstrapValues, gamma, lambda, advantages, returns);
    }

    /// <summary>
    /// GAE over time-major buffers [steps × columns] (row t holds every env's step t), each column an
    /// independent trajectory.
    /// </summary>
    public static void ComputeTimeMajor(int steps, int columns, ReadOnlySpan<float> rewards, ReadOnlySpan<float> values,
        ReadOnlySpan<bool> segmentEnds, ReadOnlySpan<bool> terminated, ReadOnlySpan<float> bootstrapValues,
        float gamma, float lambda, Span<float> advantages, Span<float> returns)
    {
        if (steps < 0 || columns < 1) throw new ArgumentOutOfRangeException(nameof(columns), $"need steps ≥ 0 and columns ≥ 1, got {steps} × {columns}");
        if (!(gamma is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "γ must be in [0, 1]");
        if (!(lambda is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "λ must be in [0, 1]");
        var n = steps * columns;
        Require(rewards.Length, n, nameof(rewards));
        Require(values.Length, n, nameof(values));
        Require(segmentEnds.Length, n, nameof(segmentEnds));
        Require(terminated.Length, n, nameof(terminated));
        Require(bootstrapValues.Length, n, nameof(bootstrapValues));
        Require(advantages.Length, n, nameof(advantages));
        Require(returns.Length, n, nameof(returns));
        var decay = gamma * lambda;
        for (var c = 0; c < columns; c++)
        {
            var running = 0f;
            for (var t = steps - 1; t >= 0; t--)
            {
                var i = t * columns + c;
                float next;
                if (terminated[i])
                {
                    next = 0f;
                    running = 0f;
                }
                else if (segmentEnds[i] || t == steps - 1)
                {
                    next = bootstrapValues[i];
                    running = 0f;
                }
                else
                {
                    next = values[i + columns];
                }
                var delta = rewards[i] + gamma * next - values[i];
                running = delta + decay * running;
                advantages[i] = running;
                returns[i] = running + values[i];
            }
        }
    }

    private static void Require(int actual, int expected, string name)
    {
        if (actual != expected) throw new ArgumentException($"{name} has {actual} elements, expected {expected} (steps × columns)", name);
    }
}

using Mlsh.Environments;
using Mlsh.NeuralNets;
using Mlsh.NeuralNets.Policies;

namespace Mlsh.Trainer.Mlsh;

/// <summary>Outcome of <see cref="Evaluator.Run"/>.</summary>
public sealed record EvalResult(int Episodes, double SuccessRate, double MeanReturn, double MeanSteps);

/// <summary>A scripted master: the sub-policy to run for the next macro step, from the agent's planar position and
/// its raw observation row (for the maze families, laid out as <see cref="Environments.Observations.ObservationLayout"/>).</summary>
public delegate int ScriptedMaster(float x, float y, ReadOnlySpan<float> observation);

/// <summary>Watches an evaluation step by step (e.g. to draw the episodes' paths). Called on the evaluating thread.</summary>
public interface IEvalObserver
{
    /// <summary>Before instance <paramref name="instance"/> steps from planar position (x, y) with sub-policy
    /// <paramref name="skill"/> (0 for a flat policy); <paramref name="masterTick"/> when the master chose it just now.</summary>
    void OnStep(int instance, float x, float y, int skill, bool masterTick);
    /// <summary>The instance's episode ended; its next <see cref="OnStep"/> belongs to a new episode.</summary>
    void OnEpisodeEnd(int instance, bool succeeded);
}

/// <summary>
/// Runs a trained hierarchy (master + sub-policies) or a flat policy on one task for a number of
/// episodes and measures success rate, return and episode length. The master picks a sub-policy at
/// each episode start and every <c>macroSteps</c> steps, as in training. Policies act with their most
/// probable action unless <c>stochastic</c> is set. Deterministic for a seed; single-threaded.
/// </summary>
public static class Evaluator
{
    /// <param name="master">Null for a flat policy (exactly one entry in <paramref name="subpolicies"/>) or with
    /// <paramref name="scriptedMaster"/>.</param>
    /// <param name="scriptedMaster">Instead of a learned master: picks the sub-policy from the agent's planar position
    /// (x, y) and observation at every macro step (a diagnostic reference such as a waypoint follower).</param>
    /// <param name="observer">Sees every step of every instance, including steps of episodes past the requested count.</param>
    public static EvalResult Run(ITaskFamily family, int task, IReadOnlyList<ActorCritic> subpolicies, CategoricalActorCritic? master,
        int macroSteps, int episodes, ulong seed, bool stochastic = false, int parallel = 8, ScriptedMaster? scriptedMaster = null,
        IEvalObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(subpolicies);
        ArgumentOutOfRangeException.ThrowIfLessThan(episodes, 1);
        if (master is not null && scriptedMaster is not null)
            throw new ArgumentException("give a learned master or a scripted one, not both", nameof(scriptedMaster));
        var hierarchical = master is not null || scriptedMaster is not null;
        if (!hierarchical && subpolicies.Count != 1)
            throw new ArgumentException($"without a master exactly one (flat) policy is needed, got {subpolicies.Count}", nameof(subpolicies));
        if (hierarchical) ArgumentOutOfRangeException.ThrowIfLessThan(macroSteps, 1);
        var count = Math.Min(episodes, parallel);
        using var env = family.CreateVectorEnv(count);
        if (env.ObservationSize != subpolicies[0].ObservationSize)
            throw new ArgumentException($"the policies take {subpolicies[0].ObservationSize} observations, {family.Name} gives {env.ObservationSize}");
        env.Task = task;
        env.Reset(seed);
        var random = new SeededRandom(seed ^ 0x5EED_E7A1UL);
        int obsSize = env.ObservationSize;
        var discrete = env.ActionSpace.Kind == ActionKind.Discrete;
        var width = discrete ? 1 : env.ActionSpace.Size;
        var active = new int[count];
        var macroLeft = new int[count];
        var indices = new int[count];
        var logp = new float[count];
        var values = new float[count];
        var actions = new float[count * width];
        var gathered = new float[count * obsSize];
        var idx = new int[count];
        var episodeReturn = new double[count];
        var episodeSteps = new int[count];
        // DESIGN: episode i runs on instance i mod count, and an instance stops counting once its share is done. Counting
        // whichever episodes finish first instead would over-sample short ones, and on a maze the short ones are the
        // successes (a failure runs to the time limit): with 8 instances and 8 episodes, a policy that succeeds half the
        // time could score 100 %.
        var share = new int[count];
        for (var e = 0; e < count; e++) share[e] = episodes / count + (e < episodes % count ? 1 : 0);
        int done = 0, successes = 0;
        double sumReturn = 0, sumSteps = 0;
        while (done < episodes)
        {
            var obs = env.Observations;
            if (scriptedMaster is not null)
            {
                var positions = env.Positions;
                for (var e = 0; e < count; e++)
                {
                    if (macroLeft[e] > 0) continue;
                    var k = scriptedMaster(positions[2 * e], positions[2 * e + 1], obs.Slice(e * obsSize, obsSize));
                    if ((uint)k >= (uint)subpolicies.Count) throw new InvalidOperationException($"the scripted master chose sub-policy {k}; there are {subpolicies.Count}");
                    active[e] = k;
                    macroLeft[e] = macroSteps;
                }
            }
            else if (master is not null)
            {
                var n = 0;
                for (var e = 0; e < count; e++)
                {
                    if (macroLeft[e] > 0) continue;
                    idx[n] = e;
                    obs.Slice(e * obsSize, obsSize).CopyTo(gathered.AsSpan(n * obsSize));
                    n++;
                }
                if (n > 0)
                {
                    if (stochastic) master.Act(gathered.AsSpan(0, n * obsSize), n, random, indices, logp, values);
                    else master.ActDeterministic(gathered.AsSpan(0, n * obsSize), n, indices);
                    for (var i = 0; i < n; i++)
                    {
                        active[idx[i]] = indices[i];
                        macroLeft[idx[i]] = macroSteps;
                    }
                }
            }
            for (var k = 0; k < subpolicies.Count; k++)
            {
                var n = 0;
                for (var e = 0; e < count; e++)
                {
                    if (active[e] != k) continue;
                    idx[n] = e;
                    obs.Slice(e * obsSize, obsSize).CopyTo(gathered.AsSpan(n * obsSize));
                    n++;
                }
                if (n == 0) continue;
                var batch = gathered.AsSpan(0, n * obsSize);
                switch (subpolicies[k])
                {
                    case CategoricalActorCritic c:
                        if (stochastic) c.Act(batch, n, random, indices, logp, values);
                        else c.ActDeterministic(batch, n, indices);
                        for (var i = 0; i < n; i++) env.ActionIndices[idx[i]] = indices[i];
                        break;
                    case GaussianActorCritic g:
                        if (stochastic) g.Act(batch, n, random, actions, logp, values);
                        else g.ActDeterministic(batch, n, actions);
                        for (var i = 0; i < n; i++)
                            g.ClipActions(actions.AsSpan(i * width, width), env.Actions.Slice(idx[i] * width, width));
                        break;
                    default:
                        throw new ArgumentException($"unsupported policy type {subpolicies[k].GetType().Name}", nameof(subpolicies));
                }
            }
            if (observer is not null)
            {
                var positions = env.Positions;
                for (var e = 0; e < count; e++)
                    observer.OnStep(e, positions[2 * e], positions[2 * e + 1], active[e], hierarchical && macroLeft[e] == macroSteps);
            }
            env.Step();
            for (var e = 0; e < count; e++)
            {
                episodeReturn[e] += env.Rewards[e];
                episodeSteps[e]++;
                macroLeft[e]--;
                if (!env.Terminated[e] && !env.Truncated[e]) continue;
                observer?.OnEpisodeEnd(e, env.Succeeded[e]);
                if (share[e] > 0)
                {
                    share[e]--;
                    done++;
                    sumReturn += episodeReturn[e];
                    sumSteps += episodeSteps[e];
                    if (env.Succeeded[e]) successes++;
                }
                episodeReturn[e] = 0;
                episodeSteps[e] = 0;
                macroLeft[e] = 0;
            }
        }
        return new EvalResult(done, (double)successes / done, sumReturn / done, sumSteps / done);
    }
}

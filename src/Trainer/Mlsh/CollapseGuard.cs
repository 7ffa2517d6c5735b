using Mlsh.Trainer.Configuration;

namespace Mlsh.Trainer.Mlsh;

/// <summary>
/// Decides, once per finished task round, whether a sub-policy must be re-initialised because the
/// sub-policies collapsed onto one behaviour (openai/mlsh issue #9) or because the masters stopped
/// choosing one. Pure bookkeeping over per-round measurements (<see cref="EndRound"/>); the trainer
/// measures, calls it and performs the reset. Its state is part of the trainer's checkpoint.
/// Single-threaded.
/// </summary>
/// <remarks>
/// DESIGN: re-initialisation rather than a diversity term in the loss. A diversity term needs a
/// behaviour distance that is differentiable and meaningful across task families and pulls every
/// sub-policy away from what the tasks reward; once collapsed, sub-policies sit in a basin where
/// the diversity gradient competes with a strong task gradient. MovementBandits' collapse (both
/// skills "go to goal 1") is stable because no sub-policy ever reaches the other goal, so there is no
/// reward signal to pull one away: a fresh, exploring sub-policy is what finds it (the paper's own
/// remedy for a bad skill is to replace it). Duplicates are detected on behaviour (action
/// distributions on the same states), not on master usage, because a collapsed pair is chosen 50/50
/// by a master that cannot tell them apart. Checks pause for <c>grace_rounds</c> at the start and after
/// every re-initialisation because fresh sub-policies act near-uniformly and therefore alike (a fresh
/// one must get time to learn something else before it can be judged), and a reset needs
/// <c>patience_rounds</c> consecutive rounds so one noisy round does not throw away a skill.
/// Action-level distance can miss a functional collapse: two "go to goal 0" policies that take different
/// routes differ in their actions. The optional master-indifference criterion (<c>max_master_entropy</c>)
/// looks at the function instead: a master that after a whole round still spreads its choices evenly finds
/// no sub-policy better than another for its task.
/// </remarks>
public sealed class CollapseGuard
{
    private readonly CollapseGuardConfig _config;
    private readonly int[] _lowUsageStreak;

    public CollapseGuard(CollapseGuardConfig config, int subpolicies)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfLessThan(subpolicies, 2);
        _config = config;
        _lowUsageStreak = new int[subpolicies];
    }

    /// <summary>Consecutive checked rounds whose closest pair of sub-policies was closer than min_distance.</summary>
    public int DuplicateStreak { get; private set; }
    /// <summary>Consecutive checked rounds whose master ended with entropy ≥ max_master_entropy × ln K.</summary>
    public int IndifferenceStreak { get; private set; }
    /// <summary>Per sub-policy: consecutive checked rounds with usage below min_usage.</summary>
    public ReadOnlySpan<int> LowUsageStreaks => _lowUsageStreak;
    /// <summary>Sub-policies re-initialised so far.</summary>
    public int Resets { get; private set; }
    /// <summary>Round of the last re-initialisation (-1: none): checks resume grace_rounds after it.</summary>
    public int LastResetRound { get; private set; } = -1;

    /// <summary>
    /// Records one finished round and returns the sub-policy to re-initialise, or -1.
    /// </summary>
    /// <param name="round">Index of the round that just ended.</param>
    /// <param name="closestDistance">Smallest pairwise behaviour distance (mean Hellinger, in [0, 1]).</param>
    /// <param name="closestA">One sub-policy of the closest pair.</param>
    /// <param name="closestB">The other sub-policy of the closest pair.</param>
    /// <param name="usage">[K] share of the round's joint-phase master decisions per sub-policy.</param>
    /// <param name="masterEntropyFraction">The master's entropy at the end of the round divided by ln K (NaN: unknown).</param>
    public int EndRound(int round, double closestDistance, int closestA, int closestB, ReadOnlySpan<double> usage, double masterEntropyFraction = double.NaN)
    {
        if (usage.Length != _lowUsageStreak.Length) throw new ArgumentException($"expected usage of {_lowUsageStreak.Length} sub-policies, got {usage.Length}", nameof(usage));
        var graceFrom = LastResetRound < 0 ? 0 : LastResetRound + 1;
        if (round < graceFrom + _config.GraceRounds) return -1;
        DuplicateStreak = closestDistance < _config.MinDistance ? DuplicateStreak + 1 : 0;
        IndifferenceStreak = _config.MaxMasterEntropy > 0 && masterEntropyFraction >= _config.MaxMasterEntropy ? IndifferenceStreak + 1 : 0;
        for (var k = 0; k < _lowUsageStreak.Length; k++)
            _lowUsageStreak[k] = _config.MinUsage > 0 && usage[k] < _config.MinUsage ? _lowUsageStreak[k] + 1 : 0;

        var victim = -1;
        if (DuplicateStreak >= _config.PatienceRounds)
        {
            // Keep the member of the pair the masters rely on more; on a tie keep the lower index.
            victim = usage[closestA] < usage[closestB] ? closestA
                : usage[closestB] < usage[closestA] ? closestB
                : Math.Max(closestA, closestB);
        }
        else if (IndifferenceStreak >= _config.PatienceRounds)
        {
            // The master cannot tell them apart: replace the one it chose least (on a tie, the highest index).
            victim = 0;
            for (var k = 1; k < usage.Length; k++) if (usage[k] <= usage[victim]) victim = k;
        }
        else
        {
            for (var k = 0; k < _lowUsageStreak.Length; k++)
                if (_lowUsageStreak[k] >= _config.PatienceRounds && (victim < 0 || _lowUsageStreak[k] > _lowUsageStreak[victim])) victim = k;
        }
        if (victim < 0) return -1;
        DuplicateStreak = 0;
        IndifferenceStreak = 0;
        Array.Clear(_lowUsageStreak);
        Resets++;
        LastResetRound = round;
        return victim;
    }

    internal void Restore(int duplicateStreak, int indifferenceStreak, ReadOnlySpan<int> lowUsageStreaks, int resets, int lastResetRound)
    {
        DuplicateStreak = duplicateStreak;
        IndifferenceStreak = indifferenceStreak;
        lowUsageStreaks.CopyTo(_lowUsageStreak);
        Resets = resets;
        LastResetRound = lastResetRound;
    }

    /// <summary>Σ over rows of the Hellinger distance between two categorical distributions given as
    /// log-probabilities [rows × actions]: H = √(1 − Σₐ √(pₐ qₐ)), in [0, 1].</summary>
    public static double SumHellingerCategorical(ReadOnlySpan<float> logProbsA, ReadOnlySpan<float> logProbsB, int rows, int actions)
    {
        double sum = 0;
        for (var r = 0; r < rows; r++)
        {
            double bc = 0;
            for (var a = 0; a < actions; a++)
            {
                var i = r * actions + a;
                bc += Math.Exp(0.5 * ((double)logProbsA[i] + logProbsB[i]));
            }
            sum += Math.Sqrt(Math.Max(0, 1 - bc));
        }
        return sum;
    }

    /// <summary>Σ over rows of the Hellinger distance between two diagonal Gaussians with means
    /// [rows × dims] and state-independent log σ [dims] (closed-form Bhattacharyya coefficient).</summary>
    public static double SumHellingerGaussian(ReadOnlySpan<float> meansA, ReadOnlySpan<float> logStdA, ReadOnlySpan<float> meansB, ReadOnlySpan<float> logStdB, int rows, int dims)
    {
        double sum = 0;
        for (var r = 0; r < rows; r++)
        {
            double logBc = 0;
            for (var d = 0; d < dims; d++)
            {
                double va = Math.Exp(2.0 * logStdA[d]), vb = Math.Exp(2.0 * logStdB[d]), s = va + vb;
                double diff = meansA[r * dims + d] - meansB[r * dims + d];
                logBc += 0.5 * Math.Log(2 * Math.Sqrt(va * vb) / s) - diff * diff / (4 * s);
            }
            sum += Math.Sqrt(Math.Max(0, 1 - Math.Exp(logBc)));
        }
        return sum;
    }
}

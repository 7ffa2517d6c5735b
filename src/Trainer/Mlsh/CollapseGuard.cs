using Mlsh.Trainer.Configuration;
using Mlsh.Trainer.Runs;

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
/// The optional unserved-task test (<c>stalled_task_gap</c>) looks at the outcome per task: a collapse leaves
/// one task without a sub-policy that solves it (MovementBandits seed 4: one "go to goal 0" skill and one that
/// goes to neither goal), so that task's return stays far below the others'. Far below alone is not enough:
/// the second skill of a healthy run is learned after the first, and its task lags for dozens of rounds while
/// it improves. So a task's round counts only when it is also no new best for that task: a stalled task is one
/// far behind that has stopped making progress. The scale is the range of round returns seen so far, so the test
/// needs no per-family reward constants. The sub-policy re-initialised is the one the other tasks' masters
/// used least in their latest rounds: the skill the served tasks would miss least.
/// </remarks>
public sealed class CollapseGuard
{
    private readonly CollapseGuardConfig _config;
    private readonly int[] _lowUsageStreak;
    // Unserved-task test, per task: latest round's mean return and the masters' usage shares in it [task × K], best
    // return since the last reset (NaN: none), own stalled rounds in a row; the round's reports until EndRound.
    private readonly double[] _taskLatest, _taskBest, _taskUsage, _taskReported;
    private readonly int[] _taskStreak;
    private readonly bool[] _taskRan, _taskRecord;
    private readonly double[] _victimScore;
    private double _returnLow = double.PositiveInfinity, _returnHigh = double.NegativeInfinity;

    /// <param name="config">The guard's settings.</param>
    /// <param name="subpolicies">K.</param>
    /// <param name="tasks">Tasks that <see cref="RecordTask"/> may report (indices 0 … tasks − 1).</param>
    public CollapseGuard(CollapseGuardConfig config, int subpolicies, int tasks = 1)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfLessThan(subpolicies, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(tasks, 1);
        _config = config;
        _lowUsageStreak = new int[subpolicies];
        _taskLatest = new double[tasks];
        _taskBest = new double[tasks];
        _taskReported = new double[tasks];
        Array.Fill(_taskLatest, double.NaN);
        Array.Fill(_taskBest, double.NaN);
        Array.Fill(_taskReported, double.NaN);
        _taskUsage = new double[tasks * subpolicies];
        _taskStreak = new int[tasks];
        _taskRan = new bool[tasks];
        _taskRecord = new bool[tasks];
        _victimScore = new double[subpolicies];
    }

    /// <summary>Consecutive checked rounds whose closest pair of sub-policies was closer than min_distance.</summary>
    public int DuplicateStreak { get; private set; }
    /// <summary>Consecutive checked rounds whose master ended with entropy ≥ max_master_entropy × ln K.</summary>
    public int IndifferenceStreak { get; private set; }
    /// <summary>Per sub-policy: consecutive checked rounds with usage below min_usage.</summary>
    public ReadOnlySpan<int> LowUsageStreaks => _lowUsageStreak;
    /// <summary>Per task: own rounds in a row that counted as stalled (unserved-task test).</summary>
    public ReadOnlySpan<int> StalledTaskStreaks => _taskStreak;
    /// <summary>Sub-policies re-initialised so far.</summary>
    public int Resets { get; private set; }
    /// <summary>Round of the last re-initialisation (-1: none): checks resume grace_rounds after it.</summary>
    public int LastResetRound { get; private set; } = -1;

    /// <summary>
    /// Reports, before <see cref="EndRound"/>, one task that ran in the round that is ending (under MPI several task
    /// groups may run different tasks in one round; each is reported once).
    /// </summary>
    /// <param name="task">Index of the task, in [0, tasks).</param>
    /// <param name="meanReturn">Mean episode return of the task's joint iterations in this round.</param>
    /// <param name="usage">[K] share of those iterations' master decisions per sub-policy.</param>
    public void RecordTask(int task, double meanReturn, ReadOnlySpan<double> usage)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(task);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(task, _taskLatest.Length);
        if (!double.IsFinite(meanReturn)) throw new ArgumentOutOfRangeException(nameof(meanReturn), meanReturn, "a task's round return must be finite");
        var k = _lowUsageStreak.Length;
        if (usage.Length != k) throw new ArgumentException($"expected usage of {k} sub-policies, got {usage.Length}", nameof(usage));
        _taskReported[task] = meanReturn;
        usage.CopyTo(_taskUsage.AsSpan(task * k, k));
    }

    /// <summary>
    /// Records one finished round (and the tasks <see cref="RecordTask"/> reported for it) and returns the
    /// sub-policy to re-initialise, or -1.
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
        // Returns, bests and the scale are kept during the grace rounds too: the rounds after them are judged
        // against the progress made during them.
        TakeTaskReports();
        var graceFrom = LastResetRound < 0 ? 0 : LastResetRound + 1;
        if (round < graceFrom + _config.GraceRounds) return -1;
        UpdateStalledStreaks();
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
        else if (StalledTask() is var stalled and >= 0) victim = LeastUsedByOtherTasks(stalled);
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
        // The hierarchy changed: progress is measured again from the next rounds on.
        Array.Clear(_taskStreak);
        Array.Fill(_taskBest, double.NaN);
        Resets++;
        LastResetRound = round;
        return victim;
    }

    /// <summary>Moves this round's reports into the per-task history (<see cref="_taskRan"/> marks them).</summary>
    private void TakeTaskReports()
    {
        for (var t = 0; t < _taskReported.Length; t++)
        {
            var r = _taskReported[t];
            _taskReported[t] = double.NaN;
            _taskRan[t] = !double.IsNaN(r);
            _taskRecord[t] = false;
            if (!_taskRan[t]) continue;
            _returnLow = Math.Min(_returnLow, r);
            _returnHigh = Math.Max(_returnHigh, r);
            _taskRecord[t] = double.IsNaN(_taskBest[t]) || r > _taskBest[t];
            if (_taskRecord[t]) _taskBest[t] = r;
            _taskLatest[t] = r;
        }
    }

    /// <summary>Extends or breaks the streak of every task reported this round (after all reports are in, so the
    /// order of the reports does not matter).</summary>
    private void UpdateStalledStreaks()
    {
        for (var t = 0; t < _taskRan.Length; t++)
        {
            if (!_taskRan[t]) continue;
            var r = _taskLatest[t];
            var bestOther = double.NegativeInfinity;
            for (var u = 0; u < _taskLatest.Length; u++)
                if (u != t && !double.IsNaN(_taskLatest[u])) bestOther = Math.Max(bestOther, _taskLatest[u]);
            var stalled = _config.StalledTaskGap > 0 && !_taskRecord[t] && double.IsFinite(bestOther)
                && r < bestOther - _config.StalledTaskGap * (_returnHigh - _returnLow);
            _taskStreak[t] = stalled ? _taskStreak[t] + 1 : 0;
        }
    }

    /// <summary>The task whose stalled streak reached stalled_task_rounds (the longest; on a tie the lowest index), or -1.</summary>
    private int StalledTask()
    {
        if (_config.StalledTaskGap <= 0) return -1;
        var found = -1;
        for (var t = 0; t < _taskStreak.Length; t++)
            if (_taskStreak[t] >= _config.StalledTaskRounds && (found < 0 || _taskStreak[t] > _taskStreak[found])) found = t;
        return found;
    }

    /// <summary>The sub-policy the masters of the other tasks chose least in their latest rounds (served tasks only,
    /// i.e. those not stalled themselves, when there are any); on a tie the highest index.</summary>
    private int LeastUsedByOtherTasks(int stalled)
    {
        var k = _victimScore.Length;
        for (var pass = 0; pass < 2; pass++)
        {
            Array.Clear(_victimScore);
            var counted = false;
            for (var u = 0; u < _taskLatest.Length; u++)
            {
                if (u == stalled || double.IsNaN(_taskLatest[u]) || (pass == 0 && _taskStreak[u] > 0)) continue;
                counted = true;
                for (var j = 0; j < k; j++) _victimScore[j] += _taskUsage[u * k + j];
            }
            if (counted) break;
        }
        var victim = 0;
        for (var j = 1; j < k; j++) if (_victimScore[j] <= _victimScore[victim]) victim = j;
        return victim;
    }

    /// <summary>Writes the unserved-task history (only when stalled_task_gap is set; the trainer decides).</summary>
    internal void WriteTaskState(CheckpointWriter w)
    {
        w.Double(_returnLow);
        w.Double(_returnHigh);
        w.Doubles(_taskLatest);
        w.Doubles(_taskBest);
        w.Doubles(_taskUsage);
        w.Ints(_taskStreak);
    }

    internal void ReadTaskState(CheckpointReader r)
    {
        _returnLow = r.Double();
        _returnHigh = r.Double();
        r.Doubles(_taskLatest);
        r.Doubles(_taskBest);
        r.Doubles(_taskUsage);
        r.Ints(_taskStreak);
        Array.Fill(_taskReported, double.NaN);
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

using Mlsh.Environments;
using Mlsh.NeuralNets;
using Mlsh.NeuralNets.Distributions;
using Mlsh.NeuralNets.Policies;
using Mlsh.Trainer.Configuration;
using Mlsh.Trainer.Diagnostics;
using Mlsh.Trainer.Ppo;
using Mlsh.Trainer.Runs;

namespace Mlsh.Trainer.Mlsh;

/// <summary>Where a trainer stands in the MLSH schedule.</summary>
public enum TrainingPhase
{
    /// <summary>A fresh master learns on its task; the sub-policies act but are not updated.</summary>
    Warmup,
    /// <summary>Master and sub-policies are updated.</summary>
    Joint,
    /// <summary>The flat PPO baseline: one policy, always updated.</summary>
    Flat,
    /// <summary>Retuning: a new master learns over frozen sub-policies.</summary>
    Retune,
}

/// <summary>Optional wiring of an <see cref="MlshTrainer"/> beyond its config.</summary>
public sealed class MlshTrainerOptions
{
    /// <summary>Sub-policies to start from instead of fresh ones (retune).</summary>
    public IReadOnlyList<ActorCritic>? InitialSubpolicies { get; init; }
    /// <summary>Never update the sub-policies (retune): every iteration is <see cref="TrainingPhase.Retune"/>
    /// and the master is never reinitialized.</summary>
    public bool FreezeSubpolicies { get; init; }
    /// <summary>With <see cref="FreezeSubpolicies"/>: continuous sub-policies act with their most probable action
    /// (as <c>eval</c> and the Runtime run them) instead of sampling. Off by default in retune: it measured worse
    /// (see <see cref="RetuneOptions.MeanSubpolicyActions"/>).</summary>
    public bool DeterministicSubpolicies { get; init; }
    /// <summary>Averages gradients and statistics across MPI ranks; null in a single process.</summary>
    public IDistributedReducer? Reducer { get; init; }
}

/// <summary>
/// MLSH (Frans et al., 2018) over an <see cref="ITaskFamily"/>: K sub-policies shared across tasks and
/// one master per task that picks a sub-policy every N low-level steps (a macro step) and is rewarded
/// with the summed reward of its macro step. Per sampled task the master is reinitialized, trained
/// alone for the warm-up iterations, then together with the sub-policies for the joint iterations.
/// With algorithm: flat the same loop trains one shared PPO policy (the baseline).
/// </summary>
/// <remarks>
/// One iteration = reset the environments, collect <c>rollout_steps</c> steps of every instance, compute
/// GAE targets, update. Sub-policy advantages stop at every macro-step boundary and bootstrap from the
/// value of the sub-policy whose segment ends, never from the next sub-policy's value (openai/mlsh
/// issue #7). Everything needed to continue bit-identically (parameters, optimizer moments, normalizer
/// statistics, random streams, schedule position, current task and master, under MPI those of every
/// rank) is in <see cref="SaveCheckpoint"/>. The rollout allocates nothing per step. Owns its environment and
/// networks; single-threaded.
/// </remarks>
public sealed class MlshTrainer : IDisposable
{
    private readonly TrainConfig _config;
    private readonly ITaskFamily _family;
    private readonly IVectorEnv _env;
    private readonly int[] _tasks;
    private readonly bool _flat;
    private readonly bool _frozen;
    private readonly bool _deterministicSubs;
    private readonly IDistributedReducer? _reducer;
    private readonly int _envs, _steps, _obs, _k, _macro;
    private readonly bool _discrete;
    private readonly int _actionWidth;

    private readonly ActorCritic[] _subpolicies;
    private readonly PpoUpdater[] _subUpdaters;
    private CategoricalActorCritic? _master;
    private PpoUpdater? _masterUpdater;

    // DESIGN: every random stream (acting, task choice, minibatch shuffles) is re-derived from
    // (seed, iteration or round, rank) instead of carried along: a checkpoint then needs no generator
    // state, and under MPI every rank re-derives its own streams on resume.
    private SeededRandom _actRandom;

    // Sub-policy rollout, time-major rows r = t·E + e.
    private readonly PpoBatch _subBatch;
    private readonly float[] _rewards, _bootstrap, _bootObs;
    private readonly bool[] _segmentEnds, _terminated, _needsBoot;
    private readonly int[] _active;
    private readonly int[][] _rowsOf;
    private readonly int[] _rowCount;

    // Master rollout, env-major blocks: row = e·T + j for the j-th decision of instance e.
    private readonly PpoBatch _masterBatch;
    private readonly float[] _mRewards, _mBootstrap, _mBootObs;
    private readonly bool[] _mSegmentEnds, _mTerminated, _mNeedsBoot;
    private readonly int[] _mCount;
    private readonly int[] _masterRows;
    private int _masterRowCount;

    // Per instance during a rollout.
    private readonly int[] _curK, _macroLeft, _curMasterRow;
    private readonly float[] _macroStart, _lastPos;
    private readonly double[] _episodeReturn;
    private readonly int[] _episodeLength;

    // Scratch for gathers.
    private readonly int[] _gatherIdx;
    private readonly float[] _gatherObs, _gatherActions, _gatherLogp, _gatherValues;
    private readonly int[] _gatherIndices;
    private readonly float[] _logitScratch, _logpScratch, _normScratch;
    private readonly int[] _padRows;
    private readonly double[] _normSums, _normMean, _normM2;

    private readonly SkillDiversityMeter _diversity;
    private readonly long[] _usage;

    // Collapse guard (null when hierarchy.collapse_guard is absent, for flat runs and for retuning).
    private const int GuardSampleRows = 1024;
    private readonly CollapseGuard? _guard;
    private readonly double[] _roundUsage = [];
    private readonly double[] _guardShares = [], _guardSums = [];
    private readonly float[] _guardObs = [];
    private readonly float[][] _guardOut = [];
    // Unserved-task test (stalled_task_gap > 0): this rank's joint-phase return sum and episodes of the round, and
    // the per-task report [tasks × (return sum, episodes, K usage counts)] summed over all ranks at the round's end.
    private readonly bool _guardTasks;
    private readonly double[] _roundReturn = [], _taskReport = [], _taskShares = [];
    private double _sumReturn, _sumLength;
    private int _episodes, _successes;
    // The first episode each instance finishes in an iteration: an unbiased success sample (see FirstEpisodeSuccessRate).
    private int _firstEpisodes, _firstSuccesses;
    private bool[] _firstEnded = [];

    /// <param name="config">A validated config (<see cref="TrainConfig.Load"/>).</param>
    /// <param name="family">The task family it names (<see cref="TaskFamilies.Create"/>).</param>
    /// <param name="tasks">Task indices to sample from.</param>
    public MlshTrainer(TrainConfig config, ITaskFamily family, int[] tasks, MlshTrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(tasks);
        if (tasks.Length == 0) throw new ArgumentException("at least one task is needed", nameof(tasks));
        options ??= new MlshTrainerOptions();
        _config = config;
        _family = family;
        _tasks = tasks;
        _flat = config.IsFlat;
        _frozen = options.FreezeSubpolicies;
        if (options.DeterministicSubpolicies && !_frozen)
            throw new ArgumentException("deterministic sub-policies need frozen ones: a sub-policy that is trained must sample its actions", nameof(options));
        _deterministicSubs = options.DeterministicSubpolicies;
        _reducer = options.Reducer;
        if (_flat && _frozen) throw new ArgumentException("a flat policy has no sub-policies to freeze", nameof(options));
        _envs = config.Envs;
        _steps = config.RolloutSteps;
        _k = _flat ? 1 : config.Hierarchy.Subpolicies;
        _macro = _flat ? int.MaxValue : config.Hierarchy.MacroSteps;
        _env = family.CreateVectorEnv(_envs);
        _obs = _env.ObservationSize;
        _discrete = _env.ActionSpace.Kind == ActionKind.Discrete;
        _actionWidth = _discrete ? 1 : _env.ActionSpace.Size;
        _actRandom = new SeededRandom(0);

        _subpolicies = new ActorCritic[_k];
        _subUpdaters = new PpoUpdater[_k];
        for (var k = 0; k < _k; k++)
        {
            _subpolicies[k] = options.InitialSubpolicies is { } given
                ? CheckShape(given.Count == _k ? given[k] : throw new ArgumentException($"expected {_k} sub-policies, got {given.Count}", nameof(options)))
                : CreatePolicy(config.Subpolicy, SeedStreams.Derive(config.Seed, _flat ? SeedStreams.Flat : SeedStreams.Subpolicy, (ulong)k));
            if (!config.NormalizeObservations || _frozen) _subpolicies[k].Normalizer.Frozen = true;
            if (!_frozen) ApplySubpolicyIgnores(_subpolicies[k]);
            _subUpdaters[k] = new PpoUpdater(_subpolicies[k], PpoOptionsFor(config.Subpolicy));
        }

        var rows = _steps * _envs;
        _subBatch = new PpoBatch(rows, _obs, _actionWidth);
        _rewards = new float[rows];
        _bootstrap = new float[rows];
        _bootObs = new float[rows * _obs];
        _segmentEnds = new bool[rows];
        _terminated = new bool[rows];
        _needsBoot = new bool[rows];
        _active = new int[rows];
        _rowsOf = new int[_k][];
        for (var k = 0; k < _k; k++) _rowsOf[k] = new int[rows];
        _rowCount = new int[_k];

        _masterBatch = new PpoBatch(rows, _obs, 1);
        _mRewards = new float[rows];
        _mBootstrap = new float[rows];
        _mBootObs = new float[rows * _obs];
        _mSegmentEnds = new bool[rows];
        _mTerminated = new bool[rows];
        _mNeedsBoot = new bool[rows];
        _mCount = new int[_envs];
        _masterRows = new int[rows];

        _curK = new int[_envs];
        _macroLeft = new int[_envs];
        _curMasterRow = new int[_envs];
        _macroStart = new float[_envs * 2];
        _lastPos = new float[_envs * 2];
        _episodeReturn = new double[_envs];
        _episodeLength = new int[_envs];
        _firstEnded = new bool[_envs];

        _gatherIdx = new int[rows];
        _gatherObs = new float[rows * _obs];
        _gatherActions = new float[rows * _actionWidth];
        _gatherLogp = new float[rows];
        _gatherValues = new float[rows];
        _gatherIndices = new int[rows];
        _logitScratch = new float[Math.Max(_k, 1)];
        _logpScratch = new float[Math.Max(_k, 1)];
        _normScratch = new float[_obs];
        _padRows = new int[rows];
        _normSums = new double[2 * _obs + 1];
        _normMean = new double[_obs];
        _normM2 = new double[_obs];

        _diversity = new SkillDiversityMeter(_k);
        _usage = new long[_k];
        if (!_flat && !_frozen && config.Hierarchy.CollapseGuard is { } guard)
        {
            _guard = new CollapseGuard(guard, _k, tasks.Length);
            _roundUsage = new double[_k];
            _guardShares = new double[_k];
            _guardSums = new double[_k * (_k - 1) / 2 + 1];
            var sample = Math.Min(rows, GuardSampleRows);
            _guardObs = new float[sample * _obs];
            _guardOut = new float[_k][];
            for (var k = 0; k < _k; k++) _guardOut[k] = new float[sample * _env.ActionSpace.Size];
            if (guard.StalledTaskGap > 0)
            {
                _guardTasks = true;
                _roundReturn = new double[2];
                _taskReport = new double[tasks.Length * (2 + _k)];
                _taskShares = new double[_k];
            }
        }
        if (_frozen) StartRound(resetMaster: true);
    }

    /// <summary>Iterations completed (the next iteration's index).</summary>
    public int Iteration { get; private set; }
    /// <summary>Task rounds started (the current round's index once one started).</summary>
    public int Round { get; private set; } = -1;
    /// <summary>Iterations done in the current round.</summary>
    public int RoundIteration { get; private set; }
    /// <summary>The task the environments run (the current round's).</summary>
    public int CurrentTask { get; private set; } = -1;
    /// <summary>Environment steps taken by this process.</summary>
    public long EnvSteps { get; private set; }
    public TrainConfig Config => _config;
    public ITaskFamily Family => _family;
    public IVectorEnv Environment => _env;
    public IReadOnlyList<ActorCritic> Subpolicies => _subpolicies;
    /// <summary>The current task's master; null for the flat baseline or before the first iteration.</summary>
    public CategoricalActorCritic? Master => _master;
    public bool IsFlat => _flat;

    /// <summary>The phase the next iteration runs in.</summary>
    public TrainingPhase NextPhase =>
        _flat ? TrainingPhase.Flat
        : _frozen ? TrainingPhase.Retune
        : (NeedsNewRound ? 0 : RoundIteration) < _config.Hierarchy.WarmupIterations ? TrainingPhase.Warmup : TrainingPhase.Joint;

    private int RoundLength => _config.Hierarchy.WarmupIterations + _config.Hierarchy.JointIterations;
    private bool NeedsNewRound => !_frozen && (Round < 0 || RoundIteration >= (_flat ? 1 : RoundLength));

    /// <summary>Runs one iteration: (new task round if due), rollout, targets, updates; returns its metrics.</summary>
    public IterationMetrics RunIteration()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        PrepareIteration();
        var phase = NextPhase;
        CollectRollout();
        ComputeTargets();
        var metrics = new IterationMetrics { Iteration = Iteration, Round = Round, Task = CurrentTask, Phase = PhaseName(phase) };
        if (!_flat)
        {
            var m = UpdateLearner(_master!, _masterUpdater!, _masterBatch, _masterRows, _masterRowCount, ReduceScope.TaskGroup,
                SeedStreams.Derive(_config.Seed, SeedStreams.MasterShuffle, (ulong)Iteration, Rank));
            metrics.MasterPolicyLoss = m.PolicyLoss;
            metrics.MasterEntropy = m.Entropy;
        }
        if (phase is TrainingPhase.Joint or TrainingPhase.Flat)
        {
            double pl = 0, vl = 0, ent = 0, kl = 0;
            var updated = 0;
            for (var k = 0; k < _k; k++)
            {
                var s = UpdateLearner(_subpolicies[k], _subUpdaters[k], _subBatch, _rowsOf[k], _rowCount[k], ReduceScope.World,
                    SeedStreams.Derive(_config.Seed, SeedStreams.SubpolicyShuffle, (ulong)Iteration, ((ulong)k << 32) | Rank));
                if (s.Samples == 0) continue;
                pl += s.PolicyLoss; vl += s.ValueLoss; ent += s.Entropy; kl += s.ApproxKl;
                updated++;
            }
            if (updated > 0)
            {
                metrics.SubpolicyPolicyLoss = pl / updated;
                metrics.SubpolicyValueLoss = vl / updated;
                metrics.SubpolicyEntropy = ent / updated;
                metrics.SubpolicyApproxKl = kl / updated;
            }
        }
        FillRolloutMetrics(metrics);
        if (_guard is not null)
        {
            if (phase == TrainingPhase.Joint)
            {
                for (var k = 0; k < _k; k++) _roundUsage[k] += _usage[k];
                if (_guardTasks)
                {
                    _roundReturn[0] += _sumReturn;
                    _roundReturn[1] += _episodes;
                }
                if (RoundIteration + 1 == RoundLength) GuardRoundEnd(metrics);
            }
            metrics.CollapseResets = _guard.Resets;
        }
        Iteration++;
        RoundIteration++;
        metrics.Seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        return metrics;
    }

    /// <summary>Starts the next task round when the current one is complete (new task, fresh master).</summary>
    internal void PrepareIteration()
    {
        if (NeedsNewRound) StartRound(resetMaster: !_flat);
    }

    internal PpoUpdater? MasterUpdater => _masterUpdater;

    internal static string PhaseName(TrainingPhase p) => p switch
    {
        TrainingPhase.Warmup => "warmup",
        TrainingPhase.Joint => "joint",
        TrainingPhase.Flat => "flat",
        _ => "retune",
    };

    /// <summary>Samples the next task and, for MLSH, a freshly initialized master with a fresh optimizer.</summary>
    private void StartRound(bool resetMaster)
    {
        Round++;
        RoundIteration = 0;
        Array.Clear(_roundUsage);
        Array.Clear(_roundReturn);
        var group = (ulong)(_reducer?.TaskGroup ?? 0);
        CurrentTask = _config.TaskFamily.MixTasks
            ? IVectorEnv.EveryTaskAtRandom
            : _tasks[new SeededRandom(SeedStreams.Derive(_config.Seed, SeedStreams.Tasks, (ulong)Round, group)).NextInt(_tasks.Length)];
        if (_flat || !resetMaster) return;
        _master = CreateMaster((ulong)Round, group);
        _masterUpdater = new PpoUpdater(_master, PpoOptionsFor(_config.Master));
    }

    private ulong Rank => (ulong)(_reducer?.Rank ?? 0);

    /// <summary>
    /// One PPO update of one network on its rows. Normalizer statistics are merged over the scope first.
    /// Under MPI every rank of the scope must take the same number of gradient steps, so each pads its
    /// rows (cycling its own) to the scope's largest count, and gradients are averaged weighted by each
    /// rank's real row count (a rank that collected no rows for this network contributes nothing).
    /// </summary>
    private PpoStats UpdateLearner(ActorCritic policy, PpoUpdater updater, PpoBatch batch, int[] rows, int count, ReduceScope scope, ulong shuffleSeed)
    {
        Span<ulong> state = stackalloc ulong[SeededRandom.StateLength];
        new SeededRandom(shuffleSeed).SaveState(state);
        updater.Random.RestoreState(state);
        if (_config.NormalizeObservations && !policy.Normalizer.Frozen) UpdateNormalizer(policy, batch, rows, count, scope);
        if (_reducer is null) return updater.Update(batch, rows.AsSpan(0, count));

        Span<double> total = [count];
        _reducer.Sum(scope, total);
        if (total[0] == 0) return default;
        Span<double> largest = [count];
        _reducer.Max(scope, largest);
        var n = (int)largest[0];
        for (var i = 0; i < n; i++) _padRows[i] = count > 0 ? rows[i % count] : 0;
        var weight = (float)(count / total[0]);
        var reducer = _reducer;
        updater.ReduceGradients = g =>
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(g, weight, g);
            reducer.Sum(scope, g);
        };
        return updater.Update(batch, _padRows.AsSpan(0, n));
    }

    /// <summary>Folds the rows' observations into the normalizer: Σx and Σx² summed over the scope, then
    /// Chan's merge, so every rank of the scope ends with identical statistics.</summary>
    private void UpdateNormalizer(ActorCritic policy, PpoBatch batch, int[] rows, int count, ReduceScope scope)
    {
        var sums = _normSums.AsSpan();
        sums.Clear();
        var obs = batch.Observations;
        for (var i = 0; i < count; i++)
        {
            var row = obs.Slice(rows[i] * _obs, _obs);
            for (var j = 0; j < _obs; j++)
            {
                double x = row[j];
                sums[j] += x;
                sums[_obs + j] += x * x;
            }
        }
        sums[2 * _obs] = count;
        _reducer?.Sum(scope, sums);
        var n = sums[2 * _obs];
        if (n == 0) return;
        for (var j = 0; j < _obs; j++)
        {
            var mean = sums[j] / n;
            _normMean[j] = mean;
            _normM2[j] = Math.Max(0, sums[_obs + j] - n * mean * mean);
        }
        policy.Normalizer.Merge(n, _normMean, _normM2);
    }

    /// <summary>
    /// End of a task round under the collapse guard: measures how alike the sub-policies act on a sample
    /// of this rollout's states and how often the masters chose each in the round's joint iterations
    /// (both summed over all MPI ranks, so every rank takes the same decision), and re-initialises the
    /// sub-policy the guard names.
    /// </summary>
    private void GuardRoundEnd(IterationMetrics metrics)
    {
        var rows = _steps * _envs;
        var n = _guardObs.Length / _obs;
        var actions = _env.ActionSpace.Size;
        for (var i = 0; i < n; i++)
        {
            var row = (int)((long)i * rows / n);
            _subBatch.Observations.Slice(row * _obs, _obs).CopyTo(_guardObs.AsSpan(i * _obs, _obs));
        }
        for (var k = 0; k < _k; k++)
        {
            if (_subpolicies[k] is CategoricalActorCritic cat) cat.ActionLogProbabilities(_guardObs, n, _guardOut[k]);
            else ((GaussianActorCritic)_subpolicies[k]).ActDeterministic(_guardObs, n, _guardOut[k]);
        }
        var p = 0;
        for (var a = 0; a < _k; a++)
            for (var b = a + 1; b < _k; b++)
                _guardSums[p++] = _discrete
                    ? CollapseGuard.SumHellingerCategorical(_guardOut[a], _guardOut[b], n, actions)
                    : CollapseGuard.SumHellingerGaussian(_guardOut[a], ((GaussianActorCritic)_subpolicies[a]).LogStd,
                        _guardOut[b], ((GaussianActorCritic)_subpolicies[b]).LogStd, n, actions);
        _guardSums[p] = n;
        _reducer?.Sum(ReduceScope.World, _guardSums);
        _roundUsage.CopyTo(_guardShares, 0);
        _reducer?.Sum(ReduceScope.World, _guardShares);
        double decisions = 0;
        foreach (var u in _guardShares) decisions += u;
        for (var k = 0; k < _k; k++) _guardShares[k] = decisions > 0 ? _guardShares[k] / decisions : 0;

        double closest = double.PositiveInfinity;
        int closestA = 0, closestB = 1;
        p = 0;
        for (var a = 0; a < _k; a++)
            for (var b = a + 1; b < _k; b++)
            {
                var d = _guardSums[p++] / _guardSums[^1];
                if (d < closest) (closest, closestA, closestB) = (d, a, b);
            }
        metrics.SubpolicyDistance = closest;
        // The masters' entropy of this (last) update, averaged over the ranks' task groups.
        Span<double> entropy = [double.IsFinite(metrics.MasterEntropy) ? metrics.MasterEntropy : 0, double.IsFinite(metrics.MasterEntropy) ? 1 : 0];
        _reducer?.Sum(ReduceScope.World, entropy);
        var entropyFraction = entropy[1] > 0 ? entropy[0] / entropy[1] / Math.Log(_k) : double.NaN;
        if (_guardTasks) ReportTasks();
        var victim = _guard!.EndRound(Round, closest, closestA, closestB, _guardShares, entropyFraction);
        if (victim < 0) return;
        metrics.ResetSubpolicy = victim;
        // A fresh network from its own stream (the reset count makes every reset distinct); the observation
        // normalizer keeps its statistics, which describe the task family, not the discarded skill.
        var fresh = CreatePolicy(_config.Subpolicy, SeedStreams.Derive(_config.Seed, SeedStreams.SubpolicyReset, (ulong)victim, (ulong)_guard.Resets));
        fresh.Parameters.CopyTo(_subpolicies[victim].Parameters);
        ApplySubpolicyIgnores(_subpolicies[victim]);
        _subUpdaters[victim].Optimizer.Reset();
    }

    /// <summary>Blinds a sub-policy's actions to the observation segments named by hierarchy.subpolicy_ignores
    /// (<see cref="ActorCritic.BlindPolicyTo"/>); a no-op without the key. Re-applied after every re-initialisation.</summary>
    private void ApplySubpolicyIgnores(ActorCritic policy) => BlindTo(policy, _config.Hierarchy.SubpolicyIgnores);

    /// <summary>Blinds a policy's actions to the named observation segments (<see cref="ActorCritic.BlindPolicyTo"/>).</summary>
    private void BlindTo(ActorCritic policy, List<string>? segments)
    {
        if (segments is not { Count: > 0 } names) return;
        var layout = (_family as Environments.Tasks.MazeTaskFamily)?.ObservationLayout
            ?? throw new ArgumentException($"hierarchy.subpolicy_ignores and master_ignores need a maze task family with named observation segments; {_family.Name} has none");
        foreach (var name in names)
        {
            var segment = layout[name];
            if (segment.Size > 0) policy.BlindPolicyTo(segment.Offset, segment.Size);
        }
    }

    /// <summary>The unserved-task test's input: every task that ran in this round on any rank, with its mean
    /// joint-phase return and the masters' usage shares, summed over all ranks so that every rank reports the same.</summary>
    private void ReportTasks()
    {
        Array.Clear(_taskReport);
        var stride = 2 + _k;
        var at = Array.IndexOf(_tasks, CurrentTask) * stride;
        _taskReport[at] = _roundReturn[0];
        _taskReport[at + 1] = _roundReturn[1];
        for (var k = 0; k < _k; k++) _taskReport[at + 2 + k] = _roundUsage[k];
        _reducer?.Sum(ReduceScope.World, _taskReport);
        for (var t = 0; t < _tasks.Length; t++)
        {
            var row = _taskReport.AsSpan(t * stride, stride);
            if (row[1] <= 0) continue;
            double decisions = 0;
            for (var k = 0; k < _k; k++) decisions += row[2 + k];
            for (var k = 0; k < _k; k++) _taskShares[k] = decisions > 0 ? row[2 + k] / decisions : 0;
            _guard!.RecordTask(t, row[0] / row[1], _taskShares);
        }
    }

    /// <summary>The master a round starts from: a pure function of (seed, round, task group).</summary>
    internal CategoricalActorCritic CreateMaster(ulong round, ulong group)
    {
        var master = new CategoricalActorCritic(new ActorCriticOptions
        {
            ObservationSize = _obs,
            ActionSize = _k,
            HiddenSizes = _config.Master.Hidden,
            ObservationClip = _config.ObservationClip,
            Seed = SeedStreams.Derive(_config.Seed, SeedStreams.Master, round, group),
        });
        if (!_config.NormalizeObservations) master.Normalizer.Frozen = true;
        BlindTo(master, _config.Hierarchy.MasterIgnores);
        return master;
    }

    private ActorCritic CreatePolicy(NetworkConfig net, ulong seed)
    {
        var options = new ActorCriticOptions
        {
            ObservationSize = _obs,
            ActionSize = _env.ActionSpace.Size,
            HiddenSizes = net.Hidden,
            ObservationClip = _config.ObservationClip,
            InitialLogStd = net.InitialLogStd,
            Seed = seed,
        };
        return _discrete ? new CategoricalActorCritic(options) : new GaussianActorCritic(options);
    }

    private ActorCritic CheckShape(ActorCritic p)
    {
        var expectKind = _discrete ? PolicyKind.Categorical : PolicyKind.Gaussian;
        if (p.Kind != expectKind || p.ObservationSize != _obs || p.ActionSize != _env.ActionSpace.Size)
            throw new ArgumentException($"sub-policy is {p.Kind} {p.ObservationSize}→{p.ActionSize}, the task family {_family.Name} needs {expectKind} {_obs}→{_env.ActionSpace.Size}");
        return p;
    }

    private PpoOptions PpoOptionsFor(NetworkConfig net) => new()
    {
        LearningRate = net.LearningRate,
        Gamma = net.Gamma,
        Lambda = net.Lambda,
        ClipRange = _config.Ppo.Clip,
        Epochs = net.Epochs,
        MinibatchSize = net.MinibatchSize,
        ValueLossCoefficient = _config.Ppo.ValueCoef,
        EntropyCoefficient = net.EntropyCoef,
        MaxGradientNorm = _config.Ppo.MaxGradNorm,
        // The trainer merges normalizer statistics itself (over MPI ranks when distributed).
        UpdateNormalizer = false,
    };

    /// <summary>Resets the environments (seeded by run seed, rank and iteration) and collects one rollout.</summary>
    internal void CollectRollout()
    {
        _env.Task = CurrentTask;
        _env.Reset(SeedStreams.Derive(_config.Seed, SeedStreams.Env, (ulong)Iteration, Rank));
        _actRandom = new SeededRandom(SeedStreams.Derive(_config.Seed, SeedStreams.Acting, (ulong)Iteration, Rank));
        Array.Clear(_rowCount);
        Array.Clear(_mCount);
        Array.Clear(_needsBoot);
        Array.Clear(_mNeedsBoot);
        Array.Clear(_mSegmentEnds);
        Array.Clear(_mTerminated);
        Array.Clear(_usage);
        Array.Clear(_episodeReturn);
        Array.Clear(_episodeLength);
        _macroLeft.AsSpan().Clear();
        _curK.AsSpan().Clear();
        _diversity.Clear();
        _sumReturn = _sumLength = 0;
        _episodes = _successes = 0;
        _firstEpisodes = _firstSuccesses = 0;
        Array.Clear(_firstEnded);
        _env.Positions.CopyTo(_lastPos);
        for (var t = 0; t < _steps; t++) StepOnce(t);
        EnvSteps += (long)_steps * _envs;
    }

    private void StepOnce(int t)
    {
        var obs = _env.Observations;
        if (!_flat) MasterDecisions(obs);
        for (var k = 0; k < _k; k++) ActSubpolicy(k, t, obs);
        _env.Step();

        var rewards = _env.Rewards;
        var terminated = _env.Terminated;
        var truncated = _env.Truncated;
        var positions = _env.Positions;
        var nextObs = _env.Observations;
        var finalObs = _env.FinalObservations;
        var lastStep = t == _steps - 1;
        for (var e = 0; e < _envs; e++)
        {
            var r = t * _envs + e;
            var reward = rewards[e];
            bool term = terminated[e], trunc = truncated[e], ended = term || trunc;
            _rewards[r] = reward;
            _terminated[r] = term;
            _episodeReturn[e] += reward;
            _episodeLength[e]++;
            var macroEnds = false;
            if (!_flat)
            {
                _mRewards[_curMasterRow[e]] += reward;
                macroEnds = --_macroLeft[e] == 0;
            }
            var boundary = ended || lastStep || macroEnds;
            _segmentEnds[r] = boundary;
            if (boundary && !term)
            {
                // The value of the state the segment hands over, under THIS segment's sub-policy.
                _needsBoot[r] = true;
                (trunc ? finalObs : nextObs).Slice(e * _obs, _obs).CopyTo(_bootObs.AsSpan(r * _obs, _obs));
            }
            if (!_flat && boundary)
            {
                var m = _curMasterRow[e];
                _mTerminated[m] = term;
                if (!term && (trunc || lastStep))
                {
                    _mSegmentEnds[m] = true;
                    _mNeedsBoot[m] = true;
                    (trunc ? finalObs : nextObs).Slice(e * _obs, _obs).CopyTo(_mBootObs.AsSpan(m * _obs, _obs));
                }
                float endX = ended ? _lastPos[2 * e] : positions[2 * e], endY = ended ? _lastPos[2 * e + 1] : positions[2 * e + 1];
                _diversity.Add(_curK[e], endX - _macroStart[2 * e], endY - _macroStart[2 * e + 1]);
                _macroLeft[e] = 0;
            }
            if (ended)
            {
                _episodes++;
                _sumReturn += _episodeReturn[e];
                _sumLength += _episodeLength[e];
                if (_env.Succeeded[e]) _successes++;
                if (!_firstEnded[e])
                {
                    _firstEnded[e] = true;
                    _firstEpisodes++;
                    if (_env.Succeeded[e]) _firstSuccesses++;
                }
                _episodeReturn[e] = 0;
                _episodeLength[e] = 0;
            }
            _lastPos[2 * e] = positions[2 * e];
            _lastPos[2 * e + 1] = positions[2 * e + 1];
        }
    }

    private void MasterDecisions(ReadOnlySpan<float> obs)
    {
        var n = 0;
        for (var e = 0; e < _envs; e++)
        {
            if (_macroLeft[e] != 0) continue;
            _gatherIdx[n] = e;
            obs.Slice(e * _obs, _obs).CopyTo(_gatherObs.AsSpan(n * _obs, _obs));
            n++;
        }
        if (n == 0) return;
        var master = _master!;
        master.Act(_gatherObs.AsSpan(0, n * _obs), n, _actRandom, _gatherIndices, _gatherLogp, _gatherValues);
        var epsilon = _config.Hierarchy.MasterEpsilon;
        var positions = _env.Positions;
        for (var i = 0; i < n; i++)
        {
            var e = _gatherIdx[i];
            var k = _gatherIndices[i];
            var logp = _gatherLogp[i];
            if (epsilon > 0)
            {
                if (_actRandom.NextFloat() < epsilon)
                {
                    k = _actRandom.NextInt(_k);
                    logp = MasterLogProb(master, _gatherObs.AsSpan(i * _obs, _obs), k);
                }
                logp = EpsilonMixtureLogProb(logp, epsilon, _k);
            }
            var row = e * _steps + _mCount[e]++;
            obs.Slice(e * _obs, _obs).CopyTo(_masterBatch.Observations.Slice(row * _obs, _obs));
            _masterBatch.Actions[row] = k;
            _masterBatch.LogProbs[row] = logp;
            _masterBatch.Values[row] = _gatherValues[i];
            _mRewards[row] = 0;
            _mSegmentEnds[row] = false;
            _mTerminated[row] = false;
            _mNeedsBoot[row] = false;
            _curMasterRow[e] = row;
            _curK[e] = k;
            _macroLeft[e] = _macro;
            _macroStart[2 * e] = positions[2 * e];
            _macroStart[2 * e + 1] = positions[2 * e + 1];
            _usage[k]++;
        }
    }

    /// <summary>
    /// log of the probability with which an ε-exploring master makes choice k: (1 − ε)·π(k | s) + ε / K, from
    /// log π(k | s). PPO's ratio for a master decision is π_new(k | s) over this behaviour probability.
    /// </summary>
    /// <remarks>
    /// DESIGN: the decisions are drawn from the mixture, not from π, so the mixture is the importance weight's
    /// denominator. Dividing by π alone broke retuning with ε > 0: once a master is confident, an ε-random choice
    /// can have log π below −88, exp of the log-ratio overflows to infinity and the update fails with a NaN
    /// gradient. With the mixture the ratio is at most K / ε. Computed as a log-sum-exp so that a log π of
    /// −1000 is exact too.
    /// </remarks>
    internal static float EpsilonMixtureLogProb(float logPolicy, float epsilon, int choices)
    {
        var a = Math.Log(1.0 - epsilon) + logPolicy;
        var b = Math.Log(epsilon / choices);
        var max = Math.Max(a, b);
        return (float)(max + Math.Log(Math.Exp(a - max) + Math.Exp(b - max)));
    }

    /// <summary>log π_master(k | s) for an ε-random override: PPO's ratio needs the probability the
    /// master itself gives the executed choice (then mixed with ε, <see cref="EpsilonMixtureLogProb"/>).</summary>
    private float MasterLogProb(CategoricalActorCritic master, ReadOnlySpan<float> observation, int k)
    {
        master.Normalizer.Normalize(observation, 1, _normScratch);
        master.PolicyNetwork.Infer(_normScratch, 1, _logitScratch);
        Categorical.LogSoftmax(_logitScratch, 1, _k, _logpScratch);
        return _logpScratch[k];
    }

    private void ActSubpolicy(int k, int t, ReadOnlySpan<float> obs)
    {
        var n = 0;
        for (var e = 0; e < _envs; e++)
        {
            if (_curK[e] != k) continue;
            _gatherIdx[n] = e;
            obs.Slice(e * _obs, _obs).CopyTo(_gatherObs.AsSpan(n * _obs, _obs));
            n++;
        }
        if (n == 0) return;
        var policy = _subpolicies[k];
        var batchObs = _gatherObs.AsSpan(0, n * _obs);
        if (policy is CategoricalActorCritic cat)
        {
            cat.Act(batchObs, n, _actRandom, _gatherIndices, _gatherLogp, _gatherValues);
            for (var i = 0; i < n; i++) _gatherActions[i] = _gatherIndices[i];
        }
        else if (_deterministicSubs)
        {
            // Frozen: nothing trains on these rows, so their log-probabilities and values are never read.
            ((GaussianActorCritic)policy).ActDeterministic(batchObs, n, _gatherActions);
            _gatherLogp.AsSpan(0, n).Clear();
            _gatherValues.AsSpan(0, n).Clear();
        }
        else
        {
            ((GaussianActorCritic)policy).Act(batchObs, n, _actRandom, _gatherActions, _gatherLogp, _gatherValues);
        }
        var envIndices = _env.ActionIndices;
        var envActions = _env.Actions;
        for (var i = 0; i < n; i++)
        {
            var e = _gatherIdx[i];
            var r = t * _envs + e;
            obs.Slice(e * _obs, _obs).CopyTo(_subBatch.Observations.Slice(r * _obs, _obs));
            var action = _gatherActions.AsSpan(i * _actionWidth, _actionWidth);
            action.CopyTo(_subBatch.Actions.Slice(r * _actionWidth, _actionWidth));
            _subBatch.LogProbs[r] = _gatherLogp[i];
            _subBatch.Values[r] = _gatherValues[i];
            _active[r] = k;
            _rowsOf[k][_rowCount[k]++] = r;
            if (_discrete) envIndices[e] = _gatherIndices[i];
            else ((GaussianActorCritic)policy).ClipActions(action, envActions.Slice(e * _actionWidth, _actionWidth));
        }
    }

    /// <summary>Bootstrap values (each under the network whose segment ends) and GAE targets for the
    /// sub-policies and the master.</summary>
    internal void ComputeTargets()
    {
        var rows = _steps * _envs;
        for (var k = 0; k < _k; k++) PredictBootstraps(_subpolicies[k], _needsBoot, _bootObs, _bootstrap, rows, k);
        _subBatch.Count = rows;
        var sub = _config.Subpolicy;
        Gae.ComputeTimeMajor(_steps, _envs, _rewards, _subBatch.Values[..rows], _segmentEnds, _terminated, _bootstrap,
            sub.Gamma, sub.Lambda, _subBatch.Advantages[..rows], _subBatch.Returns[..rows]);
        if (_flat) return;

        PredictBootstraps(_master!, _mNeedsBoot, _mBootObs, _mBootstrap, rows, -1);
        _masterRowCount = 0;
        var m = _config.Master;
        for (var e = 0; e < _envs; e++)
        {
            int start = e * _steps, count = _mCount[e];
            if (count == 0) continue;
            Gae.Compute(_mRewards.AsSpan(start, count), _masterBatch.Values.Slice(start, count), _mSegmentEnds.AsSpan(start, count),
                _mTerminated.AsSpan(start, count), _mBootstrap.AsSpan(start, count), m.Gamma, m.Lambda,
                _masterBatch.Advantages.Slice(start, count), _masterBatch.Returns.Slice(start, count));
            for (var j = 0; j < count; j++) _masterRows[_masterRowCount++] = start + j;
        }
        _masterBatch.Count = rows;
    }

    /// <summary>Predicts <paramref name="values"/>[r] = V(obs[r]) for every row flagged in
    /// <paramref name="needs"/> (and, for sub-policies, acted by sub-policy <paramref name="k"/>), in one batch.</summary>
    private void PredictBootstraps(ActorCritic policy, bool[] needs, float[] observations, float[] values, int rows, int k)
    {
        var n = 0;
        for (var r = 0; r < rows; r++)
        {
            if (!needs[r] || (k >= 0 && _active[r] != k)) continue;
            _gatherIdx[n] = r;
            observations.AsSpan(r * _obs, _obs).CopyTo(_gatherObs.AsSpan(n * _obs, _obs));
            n++;
        }
        if (n == 0) return;
        policy.PredictValues(_gatherObs.AsSpan(0, n * _obs), n, _gatherValues);
        for (var i = 0; i < n; i++) values[_gatherIdx[i]] = _gatherValues[i];
    }

    /// <summary>Sub-policy advantages of the last <see cref="ComputeTargets"/>, time-major [T × E].</summary>
    internal ReadOnlySpan<float> SubpolicyAdvantages => _subBatch.Advantages[..(_steps * _envs)];
    /// <summary>Which sub-policy acted at each row of the last rollout.</summary>
    internal ReadOnlySpan<int> ActiveSubpolicy => _active.AsSpan(0, _steps * _envs);
    /// <summary>The sub-policy action of every rollout row ([steps × envs × action width]), before clipping.</summary>
    internal ReadOnlySpan<float> SubpolicyActions => _subBatch.Actions[..(_steps * _envs * _actionWidth)];
    internal ReadOnlySpan<float> RolloutRewards => _rewards;
    internal ReadOnlySpan<float> RolloutValues => _subBatch.Values[..(_steps * _envs)];
    internal ReadOnlySpan<bool> RolloutTerminated => _terminated;
    internal ReadOnlySpan<bool> RolloutSegmentEnds => _segmentEnds;
    internal ReadOnlySpan<float> RolloutBootstrap => _bootstrap;

    private void FillRolloutMetrics(IterationMetrics m)
    {
        long decisions = 0;
        foreach (var u in _usage) decisions += u;
        Span<double> totals = [_episodes, _successes, _sumReturn, _sumLength, _firstEpisodes, _firstSuccesses];
        _reducer?.Sum(ReduceScope.World, totals);
        m.EnvSteps = EnvSteps * (_reducer?.Size ?? 1);
        m.Episodes = (int)totals[0];
        if (totals[0] > 0)
        {
            m.MeanReturn = totals[2] / totals[0];
            m.SuccessRate = totals[1] / totals[0];
            m.MeanEpisodeSteps = totals[3] / totals[0];
        }
        if (totals[4] > 0) m.FirstEpisodeSuccessRate = totals[5] / totals[4];
        if (!_flat)
        {
            m.SkillUsage = _usage.Select(u => decisions == 0 ? double.NaN : (double)u / decisions).ToArray();
            var d = _diversity.Compute();
            m.SkillSpread = d.Spread;
            m.SkillCosine = d.MeanPairwiseCosine;
        }
    }

    /// <summary>
    /// Writes everything needed to continue bit-identically to <paramref name="path"/> (atomically).
    /// Under MPI this is a collective: every rank sends its own state (its task, its task group's master,
    /// its share of the round's skill usage) to rank 0, which writes the one file; the other ranks ignore
    /// <paramref name="path"/>.
    /// </summary>
    // DESIGN: per-rank blocks rather than one master per task group: ranks of a group hold identical masters,
    // so this costs one small network per extra rank, and a resume needs no group bookkeeping at all.
    public void SaveCheckpoint(string path, string configFingerprint)
    {
        var mine = Checkpoint.Serialize(WriteRankState);
        byte[][] ranks;
        if (_reducer is null) ranks = [mine];
        else if (_reducer.GatherToRoot(mine) is { } gathered) ranks = gathered;
        else return;
        Checkpoint.Write(path, w =>
        {
            w.Section("trainer");
            w.String(configFingerprint);
            w.Int(Iteration);
            w.Int(Round);
            w.Int(RoundIteration);
            w.Int(CurrentTask); // rank 0's; read by tools that list checkpoints
            w.Long(EnvSteps);
            w.Section("subpolicies");
            w.Int(_k);
            for (var k = 0; k < _k; k++) WriteLearner(w, _subpolicies[k], _subUpdaters[k]);
            // Only with the guard, so checkpoints of runs without it keep their layout. Its streaks are
            // decided from sums over all ranks, hence the same on every rank.
            if (_guard is not null)
            {
                w.Section("collapse_guard");
                w.Int(_guard.DuplicateStreak);
                w.Int(_guard.IndifferenceStreak);
                foreach (var s in _guard.LowUsageStreaks) w.Int(s);
                w.Int(_guard.Resets);
                w.Int(_guard.LastResetRound);
                // Only with the unserved-task test, so checkpoints of guards without it keep their layout.
                if (_guardTasks) _guard.WriteTaskState(w);
            }
            w.Section("ranks");
            w.Int(ranks.Length);
            foreach (var block in ranks) w.Block(block);
        });
    }

    /// <summary>What differs between ranks: the task group's task and master, and this rank's skill usage
    /// of the round so far (the collapse guard sums it over all ranks at the round's end).</summary>
    private void WriteRankState(CheckpointWriter w)
    {
        w.Section("rank");
        w.Int((int)Rank);
        w.Int(_reducer?.TaskGroup ?? 0);
        w.Int(CurrentTask);
        w.Section("master");
        w.Bool(_master is not null);
        if (_master is not null) WriteLearner(w, _master, _masterUpdater!);
        if (_guard is null) return;
        w.Section("round_usage");
        w.Doubles(_roundUsage);
        if (!_guardTasks) return;
        w.Section("round_return");
        w.Doubles(_roundReturn);
    }

    /// <summary>
    /// Restores a <see cref="SaveCheckpoint"/> file into this trainer (built from the same config). Under MPI
    /// this is a collective: rank 0 reads the file and sends it to every rank, each takes its own rank's
    /// state, and the run must have as many ranks as the one that wrote it. Format-1 files (one process's
    /// state) load into a single process.
    /// </summary>
    /// <param name="requireSameRanks">Without MPI: refuse a checkpoint written by several ranks (a resume
    /// would not continue it exactly) instead of taking rank 0's task and master (export, inspection).</param>
    /// <exception cref="CheckpointException">the file is unreadable, corrupted, from another config, or from
    /// a run with another number of ranks. Under MPI every rank throws the same exception.</exception>
    public void LoadCheckpoint(string path, string configFingerprint, bool requireSameRanks = false)
    {
        var r = OpenOnEveryRank(path);
        r.Section("trainer");
        var fingerprint = r.String();
        if (fingerprint != configFingerprint)
            throw new CheckpointException(path, "written by a run with a different config (only iterations, checkpoint_every and plot_every may change on --resume); start a new run directory or restore the original config");
        Iteration = r.Int();
        Round = r.Int();
        RoundIteration = r.Int();
        CurrentTask = r.Int();
        EnvSteps = r.Long();
        r.Section("subpolicies");
        var k = r.Int();
        if (k != _k) throw new CheckpointException(path, $"holds {k} sub-policies, the config has {_k}");
        for (var i = 0; i < _k; i++) ReadLearner(r, _subpolicies[i], _subUpdaters[i]);
        if (r.Version == 1)
        {
            // Format 1: one process's state, master and round usage inline.
            RequireRanks(path, 1, requireSameRanks);
            ReadMasterAndUsage(r, formatOne: true);
            r.EnsureEnd();
            return;
        }
        ReadGuard(r, formatOne: false);
        r.Section("ranks");
        var ranks = r.Int();
        RequireRanks(path, ranks, requireSameRanks);
        CheckpointReader? own = null;
        for (var i = 0; i < ranks; i++)
        {
            var block = r.Block();
            if (i == (int)Rank) own = block;
        }
        r.EnsureEnd();
        own!.Section("rank");
        var rank = own.Int();
        if (rank != (int)Rank) throw new CheckpointException(path, $"the block of rank {Rank} holds rank {rank}'s state");
        _ = own.Int(); // task group: a function of the rank and ranks_per_task, which the fingerprint covers
        CurrentTask = own.Int();
        ReadMasterAndUsage(own, formatOne: false);
        own.EnsureEnd();
    }

    /// <summary>The verified checkpoint: read here, or under MPI read by rank 0 and broadcast, so that every
    /// rank sees the same bytes and fails (or not) the same way instead of leaving the others waiting.</summary>
    private CheckpointReader OpenOnEveryRank(string path)
    {
        if (_reducer is null) return Checkpoint.Open(path);
        byte[] message = [];
        if (_reducer.Rank == 0)
        {
            try { message = [0, .. Checkpoint.ReadBytes(path)]; }
            catch (CheckpointException e) { message = [1, .. System.Text.Encoding.UTF8.GetBytes(e.Problem)]; }
        }
        var received = _reducer.BroadcastFromRoot(message);
        if (received.Length == 0 || received[0] != 0)
            throw new CheckpointException(path, received.Length == 0 ? "rank 0 sent no checkpoint" : System.Text.Encoding.UTF8.GetString(received.AsSpan(1)));
        return Checkpoint.Parse(path, received[1..]);
    }

    private void RequireRanks(string path, int ranks, bool requireSameRanks)
    {
        var size = _reducer?.Size ?? 1;
        if (ranks < 1) throw new CheckpointException(path, $"section 'ranks': holds {ranks} ranks");
        if (ranks == size || (_reducer is null && !requireSameRanks)) return;
        throw new CheckpointException(path,
            $"written by a run of {ranks} rank(s), this run has {size}: each rank's task and master are in the checkpoint, so resume with " +
            (ranks == 1 ? "no --workers" : $"--workers {ranks}") + " (or start a new run directory)");
    }

    private void ReadMasterAndUsage(CheckpointReader r, bool formatOne)
    {
        r.Section("master");
        if (r.Bool())
        {
            _master = CreateMaster((ulong)Math.Max(Round, 0), (ulong)(_reducer?.TaskGroup ?? 0));
            _masterUpdater = new PpoUpdater(_master, PpoOptionsFor(_config.Master));
            ReadLearner(r, _master, _masterUpdater);
        }
        else
        {
            _master = null;
            _masterUpdater = null;
        }
        if (formatOne)
        {
            ReadGuard(r, formatOne: true);
        }
        else if (_guard is not null)
        {
            r.Section("round_usage");
            r.Doubles(_roundUsage);
            if (_guardTasks)
            {
                r.Section("round_return");
                r.Doubles(_roundReturn);
            }
        }
    }

    private void ReadGuard(CheckpointReader r, bool formatOne)
    {
        if (_guard is null) return;
        r.Section("collapse_guard");
        var streak = r.Int();
        var indifference = r.Int();
        Span<int> low = stackalloc int[_k];
        for (var i = 0; i < _k; i++) low[i] = r.Int();
        var resets = r.Int();
        _guard.Restore(streak, indifference, low, resets, r.Int());
        if (_guardTasks) _guard.ReadTaskState(r);
        if (formatOne) r.Doubles(_roundUsage);
    }

    private static void WriteLearner(CheckpointWriter w, ActorCritic policy, PpoUpdater updater)
    {
        w.Floats(policy.Parameters);
        w.Double(policy.Normalizer.Count);
        w.Doubles(policy.Normalizer.RunningMean);
        w.Doubles(policy.Normalizer.RunningM2);
        w.Floats(updater.Optimizer.FirstMoment);
        w.Floats(updater.Optimizer.SecondMoment);
        w.Long(updater.Optimizer.StepCount);
    }

    private static void ReadLearner(CheckpointReader r, ActorCritic policy, PpoUpdater updater)
    {
        r.Floats(policy.Parameters);
        var count = r.Double();
        var mean = new double[policy.ObservationSize];
        var m2 = new double[policy.ObservationSize];
        r.Doubles(mean);
        r.Doubles(m2);
        policy.Normalizer.SetStatistics(count, mean, m2);
        r.Floats(updater.Optimizer.FirstMoment);
        r.Floats(updater.Optimizer.SecondMoment);
        updater.Optimizer.StepCount = r.Long();
    }

    public void Dispose() => _env.Dispose();
}

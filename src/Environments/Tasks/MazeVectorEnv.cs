using Mlsh.Environments.Observations;
using Mlsh.Core.Randomness;
using Mlsh.Environments.Robots;
using Mlsh.MuJoCo;

namespace Mlsh.Environments.Tasks;

/// <summary>
/// K independent robots, each in its own copy of the current maze, stepped in one process at the policy
/// rate. Each <see cref="Step"/> runs, per instance, policy_decimation physics steps with the joint PD law
/// recomputed before every one of them, then builds the observation, reward and episode flags.
/// </summary>
/// <remarks>
/// Ownership: owns its K MjData (recreated when <see cref="Task"/> changes at <see cref="Reset"/>); borrows
/// the family's models. Buffers are allocated once and exposed as spans; <see cref="Step"/> allocates
/// nothing. Threading: not thread-safe; one learner thread drives it.
/// Determinism: instance i's reset noise comes from SplitMix64(seed, i, episode index of i), and MuJoCo is
/// deterministic, so the same seed and actions give bit-identical observation streams.
/// Observations: the base state comes from the MJCF's IMU/odometry sensors, which mj_step evaluates at the
/// start of its last physics step (one physics period, 2 ms, of estimator latency, as on hardware); joint
/// state comes from the encoders (qpos/qvel) at the end of the step.
/// </remarks>
public sealed class MazeVectorEnv : IVectorEnv
{
    private readonly MazeTaskFamily _family;
    private readonly RobotConfig _robot;
    private readonly ObservationBuilder _builder;
    private readonly int _count, _obsSize, _actionSize, _jointCount, _decimation;
    private readonly float[] _obs, _finalObs, _actions, _prevActions, _rewards, _positions, _distances;
    private readonly bool[] _terminated, _truncated, _succeeded;
    private readonly EpisodeEnd[] _ends;
    private readonly int[] _episodeSteps;
    private readonly long[] _episodeIndex;
    private readonly double[] _prevDistance;
    private readonly double[] _qTarget, _qdTarget, _q, _qd, _tau, _gravity;
    private readonly MjData[] _data;
    private MazeTask _current;
    private int _task, _maxEpisodeSteps;
    private ulong _seed;
    private bool _disposed;

    internal MazeVectorEnv(MazeTaskFamily family, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _family = family;
        _robot = family.Robot;
        _count = count;
        var layout = family.ObservationLayout;
        _obsSize = layout.Size;
        _actionSize = _robot.ActionSize;
        _jointCount = _robot.Joints.Count;
        _decimation = _robot.PolicyDecimation;
        _builder = new ObservationBuilder(layout, _robot.ObserveJoints ? _robot.Joints.Select(j => j.DefaultPosition).ToArray() : []);
        _obs = new float[count * _obsSize];
        _finalObs = new float[count * _obsSize];
        _actions = new float[count * _actionSize];
        _prevActions = new float[count * _actionSize];
        _rewards = new float[count];
        _positions = new float[count * 2];
        _distances = new float[count];
        _terminated = new bool[count];
        _truncated = new bool[count];
        _succeeded = new bool[count];
        _ends = new EpisodeEnd[count];
        _episodeSteps = new int[count];
        _episodeIndex = new long[count];
        _prevDistance = new double[count];
        _qTarget = new double[count * _jointCount];
        _qdTarget = new double[count * _jointCount];
        _q = new double[_jointCount];
        _qd = new double[_jointCount];
        _tau = new double[_jointCount];
        _gravity = new double[3];
        _data = new MjData[count];
        _current = family.Tasks[0];
        for (var i = 0; i < count; i++) _data[i] = _current.Model.CreateData();
        Reset(0);
    }

    public string Name => $"{_family.Name}/{_current.Layout.Name}";
    public int Count => _count;
    public int ObservationSize => _obsSize;
    public ActionSpace ActionSpace => new(ActionKind.Continuous, _actionSize);
    public ObservationLayout ObservationLayout => _family.ObservationLayout;
    public MazeTaskFamily Family => _family;
    /// <summary>The task the instances are running now (changes at <see cref="Reset"/>).</summary>
    public MazeTask CurrentTask => _current;

    public ReadOnlySpan<float> Observations => _obs;
    public ReadOnlySpan<float> FinalObservations => _finalObs;
    public Span<float> Actions => _actions;
    public Span<int> ActionIndices => Span<int>.Empty;
    public ReadOnlySpan<float> Rewards => _rewards;
    public ReadOnlySpan<bool> Terminated => _terminated;
    public ReadOnlySpan<bool> Truncated => _truncated;
    public ReadOnlySpan<bool> Succeeded => _succeeded;
    public ReadOnlySpan<float> Positions => _positions;
    /// <summary>[Count]: why each instance's episode ended on the last step.</summary>
    public ReadOnlySpan<EpisodeEnd> EpisodeEnds => _ends;
    /// <summary>[Count]: walking distance to the goal (m) matching <see cref="Observations"/>.</summary>
    public ReadOnlySpan<float> DistancesToGoal => _distances;
    /// <summary>Physics divergences caught (and recovered by a reset) since construction.</summary>
    public long DivergenceCount { get; private set; }
    /// <summary>Episodes finished by all instances since construction.</summary>
    public long EpisodesFinished { get; private set; }
    /// <summary>Physics steps (mj_step calls) taken since construction.</summary>
    public long PhysicsSteps { get; private set; }
    /// <summary>Agent steps per episode before truncation: ceil(time limit / policy period).</summary>
    public int MaxEpisodeSteps => _maxEpisodeSteps;

    public int Task
    {
        get => _task;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(value, _family.TaskCount);
            _task = value;
        }
    }

    public void Reset(ulong seed)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _seed = seed;
        var task = _family.Tasks[_task];
        if (!ReferenceEquals(task, _current))
        {
            for (var i = 0; i < _count; i++)
            {
                _data[i].Dispose();
                _data[i] = task.Model.CreateData();
            }
            _current = task;
        }
        var timeLimit = _family.Options.TimeLimit ?? task.Layout.TimeLimit;
        _maxEpisodeSteps = Math.Max(1, (int)Math.Ceiling(timeLimit / _robot.PolicyDt - 1e-9));
        Array.Clear(_episodeIndex);
        Array.Clear(_rewards);
        Array.Clear(_terminated);
        Array.Clear(_truncated);
        Array.Clear(_succeeded);
        Array.Clear(_ends);
        Array.Clear(_finalObs);
        for (var i = 0; i < _count; i++) ResetInstance(i);
    }

    public void Step()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var b = _current.Binding;
        for (var i = 0; i < _count; i++)
        {
            var data = _data[i];
            var prev = _prevActions.AsSpan(i * _actionSize, _actionSize);
            var act = _actions.AsSpan(i * _actionSize, _actionSize);
            for (var k = 0; k < _actionSize; k++)
            {
                var a = act[k];
                prev[k] = float.IsFinite(a) ? Math.Clamp(a, -1f, 1f) : 0f;
            }
            var qTarget = _qTarget.AsSpan(i * _jointCount, _jointCount);
            var qdTarget = _qdTarget.AsSpan(i * _jointCount, _jointCount);
            JointPdLaw.ActionsToTargets(_robot.ControlMode, prev, b.DefaultPosition, b.ActionScale, b.RangeLow, b.RangeHigh, qTarget, qdTarget);

            // MuJoCo never reallocates qpos/qvel/ctrl, so the views taken once serve every physics step.
            var qpos = data.Qpos;
            var qvel = data.Qvel;
            var ctrl = data.Ctrl;
            var status = MjStepStatus.Ok;
            for (var s = 0; s < _decimation && status == MjStepStatus.Ok; s++)
            {
                ApplyPdLaw(qpos, qvel, ctrl, b, qTarget, qdTarget);
                status = data.TryStep();
                PhysicsSteps++;
            }

            _terminated[i] = _truncated[i] = _succeeded[i] = false;
            _ends[i] = EpisodeEnd.None;
            var obs = _obs.AsSpan(i * _obsSize, _obsSize);
            if (status != MjStepStatus.Ok)
            {
                // The observation row still holds the last good observation: it becomes the final one.
                DivergenceCount++;
                _rewards[i] = 0;
                _truncated[i] = true;
                EndEpisode(i, EpisodeEnd.Divergence);
                continue;
            }

            BuildObservation(data, b, prev, obs);
            var sensors = data.Sensordata;
            double x = sensors[b.PositionAdr], y = sensors[b.PositionAdr + 1], z = sensors[b.PositionAdr + 2];
            var distance = _current.Distance.DistanceToGoal(x, y);
            var options = _family.Options;
            var reward = options.ProgressReward * (_prevDistance[i] - distance) + options.StepReward;
            _prevDistance[i] = distance;
            _distances[i] = (float)distance;
            _positions[2 * i] = (float)x;
            _positions[2 * i + 1] = (float)y;
            _episodeSteps[i]++;

            var layout = _current.Layout;
            var (gx, gy) = layout.Frame.CellCenter(layout.Goal);
            var end = EpisodeEnd.None;
            if ((x - gx) * (x - gx) + (y - gy) * (y - gy) <= layout.GoalRadius * layout.GoalRadius)
            {
                end = EpisodeEnd.Success;
                reward += options.SuccessBonus;
                _terminated[i] = _succeeded[i] = true;
            }
            else if (z < _robot.FallMinBaseHeight || BodyFrame.Tilt(sensors.Slice(b.OrientationAdr, 4)) > _robot.FallMaxTilt)
            {
                end = EpisodeEnd.Fall;
                reward -= options.FallPenalty;
                _terminated[i] = true;
            }
            else if (_episodeSteps[i] >= _maxEpisodeSteps)
            {
                end = EpisodeEnd.TimeLimit;
                _truncated[i] = true;
            }
            _rewards[i] = (float)reward;
            if (end != EpisodeEnd.None) EndEpisode(i, end);
        }
    }

    private void EndEpisode(int i, EpisodeEnd end)
    {
        _ends[i] = end;
        _obs.AsSpan(i * _obsSize, _obsSize).CopyTo(_finalObs.AsSpan(i * _obsSize, _obsSize));
        EpisodesFinished++;
        _episodeIndex[i]++;
        ResetInstance(i);
    }

    private void ApplyPdLaw(ReadOnlySpan<double> qpos, ReadOnlySpan<double> qvel, Span<double> ctrl, RobotBinding b,
                            ReadOnlySpan<double> qTarget, ReadOnlySpan<double> qdTarget)
    {
        for (var j = 0; j < _jointCount; j++)
        {
            _q[j] = qpos[b.JointQposAdr[j]];
            _qd[j] = qvel[b.JointDofAdr[j]];
        }
        JointPdLaw.ComputeTorques(_q, _qd, qTarget, qdTarget, b.Kp, b.Kd, b.TorqueLimit, _tau);
        for (var j = 0; j < _jointCount; j++) ctrl[b.ActuatorId[j]] = _tau[j];
    }

    private void BuildObservation(MjData data, RobotBinding b, ReadOnlySpan<float> previousAction, Span<float> obs)
    {
        var sensors = data.Sensordata;
        var qpos = data.Qpos;
        var qvel = data.Qvel;
        for (var j = 0; j < _jointCount; j++)
        {
            _q[j] = qpos[b.JointQposAdr[j]];
            _qd[j] = qvel[b.JointDofAdr[j]];
        }
        var state = new RobotState
        {
            BasePosition = sensors.Slice(b.PositionAdr, 3),
            BaseOrientation = sensors.Slice(b.OrientationAdr, 4),
            BaseLinearVelocity = sensors.Slice(b.LinearVelocityAdr, 3),
            BaseAngularVelocity = sensors.Slice(b.AngularVelocityAdr, 3),
            LinearAcceleration = sensors.Slice(b.LinearAccelerationAdr, 3),
            JointPositions = _robot.ObserveJoints ? _q : ReadOnlySpan<double>.Empty,
            JointVelocities = _robot.ObserveJoints ? _qd : ReadOnlySpan<double>.Empty,
            PreviousAction = previousAction,
        };
        _builder.Build(state, obs);
    }

    private void ResetInstance(int i)
    {
        var data = _data[i];
        var b = _current.Binding;
        var rng = SplitMix64.ForEpisode(_seed, i, _episodeIndex[i]);
        var noise = _family.Options.ResetNoiseScale;
        data.Reset();
        var qpos = data.Qpos;
        if (b.BaseFreeQposAdr >= 0)
        {
            var a = b.BaseFreeQposAdr;
            qpos[a] = rng.NextSymmetric(noise * _robot.ResetBasePositionNoise);
            qpos[a + 1] = rng.NextSymmetric(noise * _robot.ResetBasePositionNoise);
            qpos[a + 2] = _robot.SpawnHeight;
            var yaw = rng.NextSymmetric(noise * _robot.ResetBaseYawNoise);
            if (_family.Options.StartHeadingSpread > 0) yaw += rng.NextSymmetric(_family.Options.StartHeadingSpread * Math.PI / 180);
            BodyFrame.FromYaw(yaw, qpos.Slice(a + 3, 4));
        }
        for (var j = 0; j < _jointCount; j++)
        {
            var q = b.DefaultPosition[j] + rng.NextSymmetric(noise * _robot.ResetJointNoise);
            qpos[b.JointQposAdr[j]] = Math.Clamp(q, b.RangeLow[j], b.RangeHigh[j]);
        }
        data.Forward();

        var prev = _prevActions.AsSpan(i * _actionSize, _actionSize);
        prev.Clear();
        _episodeSteps[i] = 0;
        var obs = _obs.AsSpan(i * _obsSize, _obsSize);
        BuildObservation(data, b, prev, obs);
        var sensors = data.Sensordata;
        double x = sensors[b.PositionAdr], y = sensors[b.PositionAdr + 1];
        var distance = _current.Distance.DistanceToGoal(x, y);
        _prevDistance[i] = distance;
        _distances[i] = (float)distance;
        _positions[2 * i] = (float)x;
        _positions[2 * i + 1] = (float)y;
    }

    /// <summary>The simulation state of one instance, for tests and tools that place the robot.</summary>
    internal MjData DataOf(int instance) => _data[instance];

    /// <summary>Moves instance <paramref name="instance"/>'s base to world (x, y) keeping height and pose,
    /// zeroes its velocity and refreshes its observation; the episode continues.</summary>
    /// <exception cref="InvalidOperationException">The robot has no free base joint.</exception>
    public void PlaceBase(int instance, double x, double y)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(instance);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(instance, _count);
        var b = _current.Binding;
        var data = _data[instance];
        if (b.BaseFreeQposAdr >= 0)
        {
            data.Qpos[b.BaseFreeQposAdr] = x;
            data.Qpos[b.BaseFreeQposAdr + 1] = y;
        }
        else
        {
            // Planar robots are placed by their first two (x, y slide) joints, measured from the authored origin.
            if (_jointCount < 2) throw new InvalidOperationException($"robot '{_robot.Name}' has no free base joint and fewer than two slide joints");
            data.Qpos[b.JointQposAdr[0]] = x;
            data.Qpos[b.JointQposAdr[1]] = y;
        }
        data.Qvel.Clear();
        data.Forward();
        BuildObservation(data, b, _prevActions.AsSpan(instance * _actionSize, _actionSize), _obs.AsSpan(instance * _obsSize, _obsSize));
        var sensors = data.Sensordata;
        _positions[2 * instance] = (float)sensors[b.PositionAdr];
        _positions[2 * instance + 1] = (float)sensors[b.PositionAdr + 1];
        _prevDistance[instance] = _current.Distance.DistanceToGoal(sensors[b.PositionAdr], sensors[b.PositionAdr + 1]);
        _distances[instance] = (float)_prevDistance[instance];
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var d in _data) d.Dispose();
    }
}

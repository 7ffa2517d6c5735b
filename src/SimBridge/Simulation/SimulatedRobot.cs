using Mlsh.Core.Configuration;
using Mlsh.Environments.Mazes;
using Mlsh.Environments.Robots;
using Mlsh.Environments.Tasks;
using Mlsh.MuJoCo;
using Mlsh.SimBridge.Control;

namespace Mlsh.SimBridge.Simulation;

/// <summary>
/// The robot in its maze for the bridge: one MuJoCo model (robot MJCF + maze walls, composed and validated by
/// <see cref="MazeTaskFamily"/>, the same code the learning environment uses) and one MjData, with the joint
/// controllers of the real robot's motor drivers applied before every physics step.
/// </summary>
/// <remarks>
/// Ownership: owns its model (through a one-layout <see cref="MazeTaskFamily"/>) and data; <see cref="LoadLayout"/>
/// replaces both. Threading: not thread-safe, the sim thread drives it. <see cref="Step"/> and the state accessors
/// allocate nothing; <see cref="LoadLayout"/> allocates (it compiles a model).
/// Sensor timing follows the environment: IMU and odometry come from the MJCF sensors, which mj_step evaluates
/// at the start of its step (one physics period of estimator latency); joint state is read from qpos/qvel.
/// </remarks>
public sealed class SimulatedRobot : IDisposable
{
    private const int JointFree = 0;
    private readonly int _n;
    private readonly double[] _kp, _kd, _torqueLimit, _defaultPosition, _zeros;
    private readonly double[] _q, _qd, _tau, _rangeLow, _rangeHigh;
    private readonly int[] _qposAdr, _dofAdr;
    private MazeTaskFamily _family;
    private MjData _data;
    private int _baseFreeQposAdr, _orientationAdr, _gyroAdr, _accelAdr, _positionAdr, _linvelAdr;

    public SimulatedRobot(RobotConfig robot, MazeLayout layout)
    {
        Robot = robot;
        _n = robot.Joints.Count;
        JointNames = robot.Joints.Select(j => j.Name).ToArray();
        _kp = robot.Joints.Select(j => j.Kp).ToArray();
        _kd = robot.Joints.Select(j => j.Kd).ToArray();
        _torqueLimit = robot.Joints.Select(j => j.TorqueLimit).ToArray();
        _defaultPosition = robot.Joints.Select(j => j.DefaultPosition).ToArray();
        _zeros = new double[_n];
        _q = new double[_n];
        _qd = new double[_n];
        _tau = new double[_n];
        _rangeLow = new double[_n];
        _rangeHigh = new double[_n];
        _qposAdr = new int[_n];
        _dofAdr = new int[_n];
        (_family, _data) = Build(layout);
        Layout = layout;
        Bind();
        Reset();
    }

    public RobotConfig Robot { get; }
    public MazeLayout Layout { get; private set; }
    /// <summary>Joint names in robot order (the order of every joint array and command).</summary>
    public IReadOnlyList<string> JointNames { get; }
    public int JointCount => _n;
    public double PhysicsDt => Robot.PhysicsDt;
    public ReadOnlySpan<double> TorqueLimits => _torqueLimit;
    public ReadOnlySpan<double> RangeLow => _rangeLow;
    public ReadOnlySpan<double> RangeHigh => _rangeHigh;

    /// <summary>Joint positions (rad), robot order, at the current state.</summary>
    public ReadOnlySpan<double> JointPositions { get { ReadJoints(); return _q; } }
    /// <summary>Joint velocities (rad/s), robot order.</summary>
    public ReadOnlySpan<double> JointVelocities { get { ReadJoints(); return _qd; } }
    /// <summary>Torques (N m) the motors applied during the last physics step (0 after a reset).</summary>
    public ReadOnlySpan<double> AppliedTorques => _tau;
    /// <summary>Base orientation, MuJoCo (w, x, y, z), body → world.</summary>
    public ReadOnlySpan<double> Orientation => _data.Sensordata.Slice(_orientationAdr, 4);
    /// <summary>Gyro, rad/s, body frame.</summary>
    public ReadOnlySpan<double> AngularVelocity => _data.Sensordata.Slice(_gyroAdr, 3);
    /// <summary>Accelerometer specific force (gravity reaction included: +9.81 z at rest), m/s², body frame.</summary>
    public ReadOnlySpan<double> LinearAcceleration => _data.Sensordata.Slice(_accelAdr, 3);
    /// <summary>Base position, m, world (= odom) frame.</summary>
    public ReadOnlySpan<double> Position => _data.Sensordata.Slice(_positionAdr, 3);
    /// <summary>Base linear velocity (velocimeter), m/s, body frame.</summary>
    public ReadOnlySpan<double> LinearVelocity => _data.Sensordata.Slice(_linvelAdr, 3);

    /// <summary>The simulation state, for tests that place the robot in a given state.</summary>
    internal MjData Data => _data;

    /// <summary>The last divergence, valid after <see cref="Step"/> returned a non-Ok status.</summary>
    public MjDivergence LastDivergence => _data.LastDivergence;

    /// <summary>
    /// Episode start: default state, base on the start cell at the robot's spawn height facing +x, joints at
    /// the default pose, zero velocity. Deterministic (no reset noise: the bridge serves repeatable tests).
    /// </summary>
    public void Reset()
    {
        _data.Reset();
        var qpos = _data.Qpos;
        if (_baseFreeQposAdr >= 0)
        {
            qpos[_baseFreeQposAdr] = 0;
            qpos[_baseFreeQposAdr + 1] = 0;
            qpos[_baseFreeQposAdr + 2] = Robot.SpawnHeight;
            qpos[_baseFreeQposAdr + 3] = 1;
            qpos.Slice(_baseFreeQposAdr + 4, 3).Clear();
        }
        for (var j = 0; j < _n; j++) qpos[_qposAdr[j]] = Math.Clamp(_defaultPosition[j], _rangeLow[j], _rangeHigh[j]);
        Array.Clear(_tau);
        _data.Forward();
    }

    /// <summary>
    /// One physics step under <paramref name="mode"/>: the joint controller computes torques from the current
    /// state, the motors apply them (clamped to the torque limits), MuJoCo integrates.
    /// </summary>
    /// <param name="values">Efforts (N m) or position targets (rad), robot order; ignored for safe hold.</param>
    /// <returns>Ok, or the divergence status (the caller resets).</returns>
    public MjStepStatus Step(JointCommandMode mode, ReadOnlySpan<double> values)
    {
        ReadJoints();
        switch (mode)
        {
            case JointCommandMode.Effort:
                for (var j = 0; j < _n; j++) _tau[j] = Math.Clamp(values[j], -_torqueLimit[j], _torqueLimit[j]);
                break;
            case JointCommandMode.Position:
                JointPdLaw.ComputeTorques(_q, _qd, values, _zeros, _kp, _kd, _torqueLimit, _tau);
                break;
            default:
                // Damping only: the PD law with no stiffness and the current pose as target gives τ = −kd·q̇.
                JointPdLaw.ComputeTorques(_q, _qd, _q, _zeros, _zeros, _kd, _torqueLimit, _tau);
                break;
        }
        var ctrl = _data.Ctrl;
        // Actuator j drives joint j with gear 1 (checked by the environment's RobotBinding at load).
        for (var j = 0; j < _n; j++) ctrl[j] = _tau[j];
        return _data.TryStep();
    }

    /// <summary>Replaces the maze (compiles a new model) and resets. On a bad layout the current one stays.</summary>
    /// <exception cref="ConfigException">The layout is invalid or MuJoCo rejects the composed model.</exception>
    public void LoadLayout(MazeLayout layout)
    {
        var (family, data) = Build(layout);
        var (oldFamily, oldData) = (_family, _data);
        (_family, _data) = (family, data);
        Layout = layout;
        oldData.Dispose();
        oldFamily.Dispose();
        Bind();
        Reset();
    }

    private (MazeTaskFamily, MjData) Build(MazeLayout layout)
    {
        // DESIGN: a one-layout MazeTaskFamily rather than composing the MJCF here: it is the environment's own
        // composition and robot/model validation (actuator order, gears, ctrlrange = torque limits, sensors),
        // so the bridge simulates exactly what the policies were trained on.
        var family = MazeTaskFamily.Create(Robot, [layout]);
        try
        {
            return (family, family.Tasks[0].Model.CreateData());
        }
        catch
        {
            family.Dispose();
            throw;
        }
    }

    private void Bind()
    {
        var model = _family.Tasks[0].Model;
        var src = Robot.MjcfPath;
        for (var j = 0; j < _n; j++)
        {
            var jid = model.JointId(Robot.Joints[j].Name);
            _qposAdr[j] = model.JntQposAdr[jid];
            _dofAdr[j] = model.JntDofAdr[jid];
            var limited = model.JntLimited[jid] != 0;
            _rangeLow[j] = limited ? model.JntRange[2 * jid] : double.NegativeInfinity;
            _rangeHigh[j] = limited ? model.JntRange[2 * jid + 1] : double.PositiveInfinity;
        }
        var baseId = model.BodyId(Robot.BaseBody);
        _baseFreeQposAdr = -1;
        for (var j = 0; j < model.NJnt; j++)
            if (model.JntBodyId[j] == baseId && model.JntType[j] == JointFree) _baseFreeQposAdr = model.JntQposAdr[j];
        int Sensor(string name)
        {
            if (!model.TryNameToId(MjObjectType.Sensor, name, out var id)) throw new ConfigException($"sensor '{name}' is not in the MJCF", src);
            return model.SensorAdr[id];
        }
        _orientationAdr = Sensor(Robot.Sensors.Orientation);
        _gyroAdr = Sensor(Robot.Sensors.AngularVelocity);
        _accelAdr = Sensor(Robot.Sensors.LinearAcceleration);
        _positionAdr = Sensor(Robot.Sensors.Position);
        _linvelAdr = Sensor(Robot.Sensors.LinearVelocity);
    }

    private void ReadJoints()
    {
        var qpos = _data.Qpos;
        var qvel = _data.Qvel;
        for (var j = 0; j < _n; j++)
        {
            _q[j] = qpos[_qposAdr[j]];
            _qd[j] = qvel[_dofAdr[j]];
        }
    }

    public void Dispose()
    {
        _data.Dispose();
        _family.Dispose();
    }
}

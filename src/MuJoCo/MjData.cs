using System.Runtime.CompilerServices;
using Mlsh.MuJoCo.Interop;

namespace Mlsh.MuJoCo;

/// <summary>
/// The simulation state of one MuJoCo instance (native <c>mjData</c>) and the physics step on it.
/// </summary>
/// <remarks>
/// Ownership: created by <see cref="MjModel.CreateData"/>; owns its native memory through a SafeHandle
/// that keeps the model alive until this data is disposed.
/// Lifetime: every span (<see cref="Qpos"/>, <see cref="Ctrl"/>, ...) is a zero-copy view of native
/// memory, valid until <see cref="Dispose"/>; MuJoCo never reallocates these arrays, so a span taken once
/// may be reused across steps.
/// Threading: not thread-safe. One thread at a time may step or touch one data; different datas may be
/// stepped in parallel (MuJoCo keeps no global simulation state).
/// Hot path: <see cref="Step()"/>, <see cref="TryStep()"/>, <see cref="Forward"/> and the spans allocate
/// no managed memory.
/// </remarks>
public sealed unsafe class MjData : IDisposable
{
    private readonly MjDataHandle _handle;
    private readonly mjModel* _m;
    private readonly mjData* _d;
    private readonly int _nq, _nv, _nu, _na, _nbody, _nsensordata, _nmocap, _nsite, _ngeom;
    private MjDivergence _lastDivergence;

    internal MjData(MjModel model, MjDataHandle handle)
    {
        Model = model;
        _handle = handle;
        _d = handle.Pointer;
        _m = model.Native;
        _nq = _m->nq; _nv = _m->nv; _nu = _m->nu; _na = _m->na; _nbody = _m->nbody;
        _nsensordata = _m->nsensordata; _nmocap = _m->nmocap; _nsite = _m->nsite; _ngeom = _m->ngeom;
    }

    /// <summary>The model this data simulates.</summary>
    public MjModel Model { get; }

    internal mjData* Native
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (_handle.IsClosed) ThrowDisposed();
            return _d;
        }
    }

    // ---------------------------------------------------------------- state and inputs (writable)

    /// <summary>Simulation time, seconds.</summary>
    public double Time { get => Native->time; set => Native->time = value; }
    /// <summary>Generalized positions (nq).</summary>
    public Span<double> Qpos => new(Native->qpos, _nq);
    /// <summary>Generalized velocities (nv).</summary>
    public Span<double> Qvel => new(Native->qvel, _nv);
    /// <summary>Actuator activations (na).</summary>
    public Span<double> Act => new(Native->act, _na);
    /// <summary>Controls (nu); read by the next step.</summary>
    public Span<double> Ctrl => new(Native->ctrl, _nu);
    /// <summary>Applied generalized forces (nv).</summary>
    public Span<double> QfrcApplied => new(Native->qfrc_applied, _nv);
    /// <summary>Applied Cartesian force/torque per body (nbody x 6).</summary>
    public Span<double> XfrcApplied => new(Native->xfrc_applied, 6 * _nbody);
    /// <summary>Mocap body positions (nmocap x 3).</summary>
    public Span<double> MocapPos => new(Native->mocap_pos, 3 * _nmocap);
    /// <summary>Mocap body orientations, w-first quaternions (nmocap x 4).</summary>
    public Span<double> MocapQuat => new(Native->mocap_quat, 4 * _nmocap);
    /// <summary>Solver warm-start accelerations (nv); part of the state for bit-exact replay.</summary>
    public Span<double> QaccWarmstart => new(Native->qacc_warmstart, _nv);

    // ---------------------------------------------------------------- computed quantities (read-only)

    /// <summary>Sensor readings (nsensordata), laid out by <see cref="MjModel.SensorAdr"/>/<see cref="MjModel.SensorDim"/>.</summary>
    public ReadOnlySpan<double> Sensordata => new(Native->sensordata, _nsensordata);
    /// <summary>Generalized accelerations (nv).</summary>
    public ReadOnlySpan<double> Qacc => new(Native->qacc, _nv);
    /// <summary>Body frame positions in world (nbody x 3), Z-up.</summary>
    public ReadOnlySpan<double> Xpos => new(Native->xpos, 3 * _nbody);
    /// <summary>Body frame orientations, w-first quaternions (nbody x 4).</summary>
    public ReadOnlySpan<double> Xquat => new(Native->xquat, 4 * _nbody);
    /// <summary>Body frame orientations as row-major 3x3 matrices (nbody x 9).</summary>
    public ReadOnlySpan<double> Xmat => new(Native->xmat, 9 * _nbody);
    /// <summary>Body centre-of-mass positions (nbody x 3).</summary>
    public ReadOnlySpan<double> Xipos => new(Native->xipos, 3 * _nbody);
    /// <summary>Com-based body velocities [3 rot; 3 lin] (nbody x 6).</summary>
    public ReadOnlySpan<double> Cvel => new(Native->cvel, 6 * _nbody);
    /// <summary>Com-based body accelerations [3 rot; 3 lin] (nbody x 6); computed when an acceleration sensor needs it.</summary>
    public ReadOnlySpan<double> Cacc => new(Native->cacc, 6 * _nbody);
    /// <summary>Com-based external forces per body (nbody x 6).</summary>
    public ReadOnlySpan<double> CfrcExt => new(Native->cfrc_ext, 6 * _nbody);
    /// <summary>Site positions (nsite x 3).</summary>
    public ReadOnlySpan<double> SiteXpos => new(Native->site_xpos, 3 * _nsite);
    /// <summary>Site orientations, row-major 3x3 (nsite x 9).</summary>
    public ReadOnlySpan<double> SiteXmat => new(Native->site_xmat, 9 * _nsite);
    /// <summary>Geom positions (ngeom x 3).</summary>
    public ReadOnlySpan<double> GeomXpos => new(Native->geom_xpos, 3 * _ngeom);
    /// <summary>Subtree centres of mass (nbody x 3).</summary>
    public ReadOnlySpan<double> SubtreeCom => new(Native->subtree_com, 3 * _nbody);
    /// <summary>Actuator forces (nu).</summary>
    public ReadOnlySpan<double> ActuatorForce => new(Native->actuator_force, _nu);
    /// <summary>Number of contacts detected in the last step/forward.</summary>
    public int ContactCount => Native->ncon;

    /// <summary>
    /// Contact <paramref name="index"/> of the last step/forward, 0 &lt;= index &lt; <see cref="ContactCount"/>.
    /// Returned by value; allocates nothing.
    /// </summary>
    public MjContact GetContact(int index)
    {
        var d = Native;
        if ((uint)index >= (uint)d->ncon)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"there are {d->ncon} contacts");
        ref readonly var c = ref d->contact[index];
        return new MjContact(c.geom1, c.geom2, c.dist, c.pos[0], c.pos[1], c.pos[2], c.frame[0], c.frame[1], c.frame[2]);
    }

    /// <summary>World position of body <paramref name="bodyId"/> (3), a slice of <see cref="Xpos"/>.</summary>
    public ReadOnlySpan<double> BodyXpos(int bodyId) => Xpos.Slice(3 * CheckId(bodyId, _nbody, "body"), 3);

    /// <summary>Orientation of body <paramref name="bodyId"/>, w-first quaternion (4), a slice of <see cref="Xquat"/>.</summary>
    public ReadOnlySpan<double> BodyXquat(int bodyId) => Xquat.Slice(4 * CheckId(bodyId, _nbody, "body"), 4);

    /// <summary>The readings of sensor <paramref name="sensorId"/> (sensor_dim values), a slice of <see cref="Sensordata"/>.</summary>
    public ReadOnlySpan<double> SensorReading(int sensorId)
    {
        CheckId(sensorId, _m->nsensor, "sensor");
        return Sensordata.Slice(_m->sensor_adr[sensorId], _m->sensor_dim[sensorId]);
    }

    /// <summary>How many times MuJoCo raised <paramref name="warning"/> on this data since the last reset
    /// (the divergence warnings are cleared by <see cref="TryStep()"/> once reported).</summary>
    public int WarningCount(MjWarning warning)
    {
        if ((uint)warning >= MjLayout.mjNWARNING)
            throw new ArgumentOutOfRangeException(nameof(warning), warning, $"mjtWarning index must be in [0, {MjLayout.mjNWARNING})");
        return Native->warning[(int)warning].number;
    }

    private int CheckId(int id, int count, string kind)
    {
        if ((uint)id >= (uint)count)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"model '{Model.Source}' has {count} {kind} objects");
        return id;
    }

    /// <summary>The last divergence detected on this data (Status Ok if none since creation).</summary>
    public MjDivergence LastDivergence => _lastDivergence;

    // ---------------------------------------------------------------- simulation

    /// <summary>Advances one time step (mj_step).</summary>
    /// <exception cref="MjPhysicsDivergenceException">The step diverged; reset the instance.</exception>
    public void Step()
    {
        if (TryStep() != MjStepStatus.Ok) ThrowDivergence();
    }

    /// <summary>Advances <paramref name="steps"/> time steps, e.g. one macro/control step of several physics steps.</summary>
    /// <exception cref="MjPhysicsDivergenceException">A step diverged; the remaining steps are not run.</exception>
    public void Step(int steps)
    {
        if (TryStep(steps) != MjStepStatus.Ok) ThrowDivergence();
    }

    /// <summary>
    /// Advances one time step without throwing on divergence: the status says whether the instance is
    /// still usable. Meant for vectorized environments, which reset just the failed instance.
    /// </summary>
    public MjStepStatus TryStep()
    {
        var d = Native;
        var t = d->time;
        MjNative.mj_step(_m, d);
        return CheckDivergence(d, t);
    }

    /// <summary>Advances up to <paramref name="steps"/> time steps, stopping at the first non-Ok status.</summary>
    public MjStepStatus TryStep(int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        for (var i = 0; i < steps; i++)
        {
            var status = TryStep();
            if (status != MjStepStatus.Ok) return status;
        }
        return MjStepStatus.Ok;
    }

    /// <summary>Computes all derived quantities (positions, sensors, forces) without advancing time (mj_forward).</summary>
    public void Forward() => MjNative.mj_forward(_m, Native);

    /// <summary>Resets to the model's default state: qpos0, zero velocity, time 0 (mj_resetData).</summary>
    public void Reset()
    {
        MjNative.mj_resetData(_m, Native);
        _lastDivergence = default;
    }

    /// <summary>Resets and applies keyframe <paramref name="key"/> (mj_resetDataKeyframe).</summary>
    public void ResetToKeyframe(int key)
    {
        var n = _m->nkey;
        if ((uint)key >= (uint)n)
            throw new ArgumentOutOfRangeException(nameof(key), key, $"model '{Model.Source}' has {n} keyframes");
        MjNative.mj_resetDataKeyframe(_m, Native, key);
        _lastDivergence = default;
    }

    /// <summary>Resets and applies the named keyframe.</summary>
    /// <exception cref="MjNameNotFoundException">No keyframe has that name.</exception>
    public void ResetToKeyframe(string name) => ResetToKeyframe(Model.NameToId(MjObjectType.Keyframe, name));

    /// <summary>
    /// The episode-start reset: applies the first keyframe when the model defines one (the MJCF's
    /// "home" pose), else the default state.
    /// </summary>
    public void ResetToHome()
    {
        if (_m->nkey > 0) ResetToKeyframe(0);
        else Reset();
    }

    /// <summary>
    /// Copies the integration state (time, qpos, qvel, act, qacc_warmstart) and the inputs (ctrl,
    /// qfrc_applied, xfrc_applied, mocap) from another data of the same model. Stepping both afterwards
    /// with the same controls gives bit-identical trajectories. Derived quantities are not copied: call
    /// <see cref="Forward"/> if you read them before the next step. Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The source belongs to a different model.</exception>
    public void CopyStateFrom(MjData source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source._m != _m)
            throw new ArgumentException($"cannot copy state from a data of model '{source.Model.Source}' into one of model '{Model.Source}'", nameof(source));
        var dst = Native;
        var src = source.Native;
        dst->time = src->time;
        source.Qpos.CopyTo(Qpos);
        source.Qvel.CopyTo(Qvel);
        source.Act.CopyTo(Act);
        source.QaccWarmstart.CopyTo(QaccWarmstart);
        source.Ctrl.CopyTo(Ctrl);
        source.QfrcApplied.CopyTo(QfrcApplied);
        source.XfrcApplied.CopyTo(XfrcApplied);
        source.MocapPos.CopyTo(MocapPos);
        source.MocapQuat.CopyTo(MocapQuat);
    }

    /// <summary>A new data that is a complete copy of this one (mj_copyData), sharing the model.
    /// The model must not have been disposed yet.</summary>
    public MjData Clone() => new(Model, MjDataHandle.Create(Model.Handle, Native));

    /// <summary>Frees the native data (and its claim on the model).</summary>
    public void Dispose() => _handle.Dispose();

    private MjStepStatus CheckDivergence(mjData* d, double timeBefore)
    {
        // MuJoCo's own checks (mj_checkPos/Vel/Acc, and ctrl) bump a warning counter and reset the data.
        // Counters are cleared once reported so that a later divergence is seen even though mj_resetData
        // zeroes and MuJoCo re-increments them (a "changed since last step" test would miss that).
        var status = Warned(d, mjtWarning.mjWARN_BADQACC, MjStepStatus.BadQacc, timeBefore)
            ?? Warned(d, mjtWarning.mjWARN_BADQVEL, MjStepStatus.BadQvel, timeBefore)
            ?? Warned(d, mjtWarning.mjWARN_BADQPOS, MjStepStatus.BadQpos, timeBefore)
            ?? Warned(d, mjtWarning.mjWARN_BADCTRL, MjStepStatus.BadCtrl, timeBefore);
        if (status is { } s) return s;

        // The integrator can produce a non-finite qpos/qvel that MuJoCo would only catch (and silently
        // reset) at the start of the next step; report it on the step that produced it.
        var bad = FirstNonFinite(new ReadOnlySpan<double>(d->qpos, _nq));
        if (bad < 0)
        {
            bad = FirstNonFinite(new ReadOnlySpan<double>(d->qvel, _nv));
            if (bad >= 0) bad += _nq;
        }
        if (bad < 0) return MjStepStatus.Ok;
        _lastDivergence = new MjDivergence(MjStepStatus.NonFiniteState, timeBefore, bad);
        return MjStepStatus.NonFiniteState;
    }

    private MjStepStatus? Warned(mjData* d, mjtWarning warning, MjStepStatus status, double timeBefore)
    {
        ref var stat = ref d->warning[(int)warning];
        if (stat.number == 0) return null;
        _lastDivergence = new MjDivergence(status, timeBefore, stat.lastinfo);
        stat.number = 0;
        return status;
    }

    private static int FirstNonFinite(ReadOnlySpan<double> values)
    {
        for (var i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i])) return i;
        return -1;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowDivergence() => throw new MjPhysicsDivergenceException(Model.Source, _lastDivergence);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowDisposed() => throw new ObjectDisposedException(nameof(MjData), $"this MjData of model '{Model.Source}' has been disposed");
}

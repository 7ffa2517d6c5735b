using System.Runtime.InteropServices;
using System.Text;
using Mlsh.MuJoCo.Interop;

namespace Mlsh.MuJoCo;

/// <summary>
/// A compiled MuJoCo model (native <c>mjModel</c>), loaded from MJCF.
/// </summary>
/// <remarks>
/// Ownership: the model owns its native memory through a SafeHandle. <see cref="Dispose"/> releases this
/// object's claim; the native model is freed once every <see cref="MjData"/> created from it is disposed
/// too (each data holds a reference), so disposal order never matters.
/// Lifetime: spans returned by this class point into native memory and are valid until the model is
/// freed; do not keep them past <see cref="Dispose"/>.
/// Threading: loading is serialized process-wide (the 2.2.2 XML loader keeps global state). A loaded
/// model is read-only during simulation and may be shared by datas stepped on different threads, as long
/// as nobody writes model parameters (<see cref="Timestep"/>, <see cref="BodyMass"/>, ...) meanwhile.
/// </remarks>
public sealed unsafe class MjModel : IDisposable
{
    // DESIGN: string loads go through MuJoCo's virtual file system (mjVFS) rather than a private temp
    // file: nothing touches the disk, nothing needs cleaning after a crash, and the in-memory assets of
    // FromXmlString share the same mechanism. The cost is one 2 MB mjVFS struct per load (freed at once).
    private const string InlineFileName = "mlsh-inline-model.xml";
    private const int ErrorBufferSize = 1024;
    private static readonly object LoadGate = new();

    private readonly MjModelHandle _handle;
    private readonly mjModel* _m;
    private readonly Dictionary<MjObjectType, string[]> _names = new();

    private MjModel(MjModelHandle handle, string source, string? compilerWarning)
    {
        _handle = handle;
        _m = handle.Pointer;
        Source = source;
        CompilerWarning = compilerWarning;
    }

    /// <summary>The MJCF file this model was loaded from, or a label for an in-memory description.</summary>
    public string Source { get; }

    /// <summary>A warning the MJCF compiler left in its error buffer on success, or null.</summary>
    public string? CompilerWarning { get; }

    internal MjModelHandle Handle => _handle;

    internal mjModel* Native
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _m;
        }
    }

    /// <summary>Parses and compiles an MJCF (or URDF) file.</summary>
    /// <exception cref="MjLoadException">The file is missing or MuJoCo rejected it; carries MuJoCo's message.</exception>
    public static MjModel FromXmlFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new MjLoadException(full, nameof(MjNative.mj_loadXML), "file not found");
        return Load(full, full, vfs: null);
    }

    /// <summary>
    /// Compiles MJCF text held in memory. Files it references (meshes, includes) are looked up first in
    /// <paramref name="assets"/> (file name → bytes), then on disk relative to the working directory.
    /// </summary>
    /// <param name="xml">The MJCF document.</param>
    /// <param name="assets">Optional in-memory files, by bare file name.</param>
    /// <param name="sourceLabel">How errors and <see cref="Source"/> name this model.</param>
    /// <exception cref="MjLoadException">MuJoCo rejected the description; carries MuJoCo's message.</exception>
    public static MjModel FromXmlString(string xml, IReadOnlyDictionary<string, byte[]>? assets = null, string sourceLabel = "<xml string>")
    {
        ArgumentNullException.ThrowIfNull(xml);
        MjLibrary.EnsureInitialized();
        var vfs = (mjVFS*)NativeMemory.AllocZeroed((nuint)sizeof(mjVFS));
        try
        {
            MjNative.mj_defaultVFS(vfs);
            AddVfsFile(vfs, InlineFileName, Encoding.UTF8.GetBytes(xml), sourceLabel);
            if (assets != null)
                foreach (var (name, bytes) in assets)
                    AddVfsFile(vfs, name, bytes, sourceLabel);
            return Load(InlineFileName, sourceLabel, vfs);
        }
        finally
        {
            MjNative.mj_deleteVFS(vfs);
            NativeMemory.Free(vfs);
        }
    }

    private static void AddVfsFile(mjVFS* vfs, string name, byte[] content, string source)
    {
        var status = MjNative.mj_makeEmptyFileVFS(vfs, name, content.Length);
        if (status != 0)
        {
            var why = status switch { 1 => "the virtual file system is full", 2 => "the name is repeated", _ => $"status {status}" };
            throw new MjLoadException(source, nameof(MjNative.mj_makeEmptyFileVFS), $"cannot add in-memory file '{name}': {why}");
        }
        var index = MjNative.mj_findFileVFS(vfs, name);
        var data = ((void**)((byte*)vfs + mjVFS.filedata_offset))[index];
        content.AsSpan().CopyTo(new Span<byte>(data, content.Length));
    }

    private static MjModel Load(string filename, string source, mjVFS* vfs)
    {
        MjLibrary.EnsureInitialized();
        var error = stackalloc byte[ErrorBufferSize];
        error[0] = 0;
        mjModel* m;
        lock (LoadGate)
        {
            m = MjNative.mj_loadXML(filename, vfs, error, ErrorBufferSize);
        }
        var errorSpan = new ReadOnlySpan<byte>(error, ErrorBufferSize);
        MjNative.Check(m, nameof(MjNative.mj_loadXML), errorSpan, source);
        var warning = MjNative.DecodeCString(errorSpan);
        return new MjModel(MjModelHandle.Own(m), source, warning.Length == 0 ? null : warning);
    }

    /// <summary>
    /// An independent deep copy of this model (mj_copyModel), including any parameters changed since
    /// loading, e.g. for per-instance domain randomization. The copy is owned by the caller.
    /// </summary>
    public MjModel Clone()
    {
        var copy = MjNative.Check(MjNative.mj_copyModel(null, Native), nameof(MjNative.mj_copyModel));
        return new MjModel(MjModelHandle.Own(copy), Source, CompilerWarning);
    }

    /// <summary>Allocates a simulation state for this model (mj_makeData), initialized to qpos0.</summary>
    public MjData CreateData()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        return new MjData(this, MjDataHandle.Create(_handle));
    }

    // ---------------------------------------------------------------- sizes

    /// <summary>Number of generalized coordinates (length of qpos).</summary>
    public int Nq => Native->nq;
    /// <summary>Number of degrees of freedom (length of qvel).</summary>
    public int Nv => Native->nv;
    /// <summary>Number of actuators (length of ctrl).</summary>
    public int Nu => Native->nu;
    /// <summary>Number of activation states (length of act).</summary>
    public int Na => Native->na;
    public int NBody => Native->nbody;
    public int NJnt => Native->njnt;
    public int NGeom => Native->ngeom;
    public int NSite => Native->nsite;
    public int NSensor => Native->nsensor;
    /// <summary>Total length of sensordata.</summary>
    public int NSensorData => Native->nsensordata;
    public int NKey => Native->nkey;
    public int NMocap => Native->nmocap;

    /// <summary>Physics time step opt.timestep, in seconds. Settable (e.g. to match a control rate).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a finite positive number.</exception>
    public double Timestep
    {
        get => Native->opt.timestep;
        set
        {
            if (!double.IsFinite(value) || value <= 0)
                throw new ArgumentOutOfRangeException(nameof(value), value, $"opt.timestep of model '{Source}' must be a finite positive number of seconds");
            Native->opt.timestep = value;
        }
    }

    /// <summary>Gravity opt.gravity (3), m/s², writable.</summary>
    public Span<double> Gravity => new(Native->opt.gravity, 3);

    // ---------------------------------------------------------------- model arrays

    /// <summary>Default pose qpos0 (nq).</summary>
    public ReadOnlySpan<double> Qpos0 => new(Native->qpos0, _m->nq);
    /// <summary>Joint type per joint, as int values of <see cref="MjJointType"/> (0 free, 1 ball, 2 slide, 3 hinge).</summary>
    public ReadOnlySpan<int> JntType => new(Native->jnt_type, _m->njnt);
    /// <summary>Start index of each joint in qpos (njnt).</summary>
    public ReadOnlySpan<int> JntQposAdr => new(Native->jnt_qposadr, _m->njnt);
    /// <summary>Start index of each joint in qvel (njnt).</summary>
    public ReadOnlySpan<int> JntDofAdr => new(Native->jnt_dofadr, _m->njnt);
    /// <summary>Body each joint belongs to (njnt).</summary>
    public ReadOnlySpan<int> JntBodyId => new(Native->jnt_bodyid, _m->njnt);
    /// <summary>1 where the joint is limited (njnt).</summary>
    public ReadOnlySpan<byte> JntLimited => new(Native->jnt_limited, _m->njnt);
    /// <summary>Joint limits, [lo, hi] per joint (njnt x 2).</summary>
    public ReadOnlySpan<double> JntRange => new(Native->jnt_range, 2 * _m->njnt);
    /// <summary>Parent body of each body (nbody); the world body is its own parent.</summary>
    public ReadOnlySpan<int> BodyParentId => new(Native->body_parentid, _m->nbody);
    /// <summary>Body masses (nbody), writable for domain randomization.</summary>
    public Span<double> BodyMass => new(Native->body_mass, _m->nbody);
    /// <summary>Geom friction [slide, spin, roll] (ngeom x 3), writable for domain randomization.</summary>
    public Span<double> GeomFriction => new(Native->geom_friction, 3 * _m->ngeom);
    /// <summary>Geom body ids (ngeom).</summary>
    public ReadOnlySpan<int> GeomBodyId => new(Native->geom_bodyid, _m->ngeom);
    /// <summary>Dof damping (nv), writable.</summary>
    public Span<double> DofDamping => new(Native->dof_damping, _m->nv);
    /// <summary>1 where the actuator's control is clamped to its ctrlrange (nu).</summary>
    public ReadOnlySpan<byte> ActuatorCtrlLimited => new(Native->actuator_ctrllimited, _m->nu);
    /// <summary>Control ranges, [lo, hi] per actuator (nu x 2).</summary>
    public ReadOnlySpan<double> ActuatorCtrlRange => new(Native->actuator_ctrlrange, 2 * _m->nu);
    /// <summary>Actuator gear (nu x 6), writable.</summary>
    public Span<double> ActuatorGear => new(Native->actuator_gear, 6 * _m->nu);
    /// <summary>Transmission target ids (nu x 2); for joint actuators [0] is the joint id.</summary>
    public ReadOnlySpan<int> ActuatorTrnId => new(Native->actuator_trnid, 2 * _m->nu);
    /// <summary>Sensor type per sensor (mjtSensor).</summary>
    public ReadOnlySpan<int> SensorType => new(Native->sensor_type, _m->nsensor);
    /// <summary>Start index of each sensor in sensordata (nsensor).</summary>
    public ReadOnlySpan<int> SensorAdr => new(Native->sensor_adr, _m->nsensor);
    /// <summary>Number of sensordata values of each sensor (nsensor).</summary>
    public ReadOnlySpan<int> SensorDim => new(Native->sensor_dim, _m->nsensor);
    /// <summary>Body each site belongs to (nsite).</summary>
    public ReadOnlySpan<int> SiteBodyId => new(Native->site_bodyid, _m->nsite);
    /// <summary>Keyframe qpos (nkey x nq).</summary>
    public ReadOnlySpan<double> KeyQpos => new(Native->key_qpos, _m->nkey * _m->nq);

    // ---------------------------------------------------------------- names

    /// <summary>Id of the named object (mj_name2id).</summary>
    /// <exception cref="MjNameNotFoundException">No such object; the message lists the known names.</exception>
    public int NameToId(MjObjectType type, string name)
    {
        if (TryNameToId(type, name, out var id)) return id;
        throw new MjNameNotFoundException(Source, type, name, Names(type).Where(n => n.Length > 0).ToArray());
    }

    /// <summary>Id of the named object, or false when the model has none under that name.</summary>
    public bool TryNameToId(MjObjectType type, string name, out int id)
    {
        ArgumentNullException.ThrowIfNull(name);
        id = MjNative.mj_name2id(Native, (int)type, name);
        return id >= 0;
    }

    /// <summary>Name of the object with the given id (mj_id2name), or "" when it is unnamed.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is out of range for the type.</exception>
    public string IdToName(MjObjectType type, int id)
    {
        var names = Names(type);
        if ((uint)id >= (uint)names.Count)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"model '{Source}' has {names.Count} {type.ToString().ToLowerInvariant()} objects");
        return names[id];
    }

    /// <summary>All names of one object type in id order ("" for unnamed objects). Cached.</summary>
    public IReadOnlyList<string> Names(MjObjectType type)
    {
        lock (_names)
        {
            if (_names.TryGetValue(type, out var cached)) return cached;
            var m = Native;
            var count = type switch
            {
                MjObjectType.Body => m->nbody,
                MjObjectType.Joint => m->njnt,
                MjObjectType.Geom => m->ngeom,
                MjObjectType.Site => m->nsite,
                MjObjectType.Camera => m->ncam,
                MjObjectType.Mesh => m->nmesh,
                MjObjectType.Tendon => m->ntendon,
                MjObjectType.Actuator => m->nu,
                MjObjectType.Sensor => m->nsensor,
                MjObjectType.Keyframe => m->nkey,
                _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unsupported object type"),
            };
            var names = new string[count];
            for (var i = 0; i < count; i++)
                names[i] = MjNative.DecodeCString(MjNative.mj_id2name(m, (int)type, i)) ?? "";
            _names[type] = names;
            return names;
        }
    }

    public int BodyId(string name) => NameToId(MjObjectType.Body, name);
    public int JointId(string name) => NameToId(MjObjectType.Joint, name);
    public int GeomId(string name) => NameToId(MjObjectType.Geom, name);
    public int SiteId(string name) => NameToId(MjObjectType.Site, name);
    public int ActuatorId(string name) => NameToId(MjObjectType.Actuator, name);
    public int SensorId(string name) => NameToId(MjObjectType.Sensor, name);

    /// <summary>Releases this object's claim on the native model (freed when no data uses it any more).</summary>
    public void Dispose() => _handle.Dispose();

    public override string ToString() => _handle.IsClosed
        ? $"MjModel({Source}, disposed)"
        : $"MjModel({Source}: nq={_m->nq}, nv={_m->nv}, nu={_m->nu}, nbody={_m->nbody})";
}

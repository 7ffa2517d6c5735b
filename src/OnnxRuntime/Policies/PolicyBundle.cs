using System.Globalization;
using Mlsh.Core.Configuration;
using Mlsh.Onnx.Manifest;

namespace Mlsh.OnnxRuntime.Policies;

/// <summary>
/// A deployable MLSH hierarchy loaded from models/&lt;name&gt;/: the manifest, the master and the K
/// sub-policies, each an ONNX Runtime session bound to preallocated buffers. Everything that can be
/// wrong is checked once in <see cref="Load"/>; the control loop then only copies and runs.
/// Owns all sessions (dispose the bundle to release them). Use from one control thread.
/// </summary>
public sealed class PolicyBundle : IDisposable
{
    public PolicyManifest Manifest { get; }
    public string Directory { get; }
    public MasterPolicy Master { get; }
    public IReadOnlyList<SubPolicy> SubPolicies { get; }

    private PolicyBundle(PolicyManifest manifest, string directory, MasterPolicy master, IReadOnlyList<SubPolicy> subs)
    {
        Manifest = manifest;
        Directory = directory;
        Master = master;
        SubPolicies = subs;
    }

    /// <summary>
    /// Loads and validates a bundle: manifest.yaml strictly parsed and self-consistent; robot, joint
    /// order, observation width (and, when given, sub-policy count and control rate) equal to
    /// <paramref name="expectations"/>; every model file present with the manifest's SHA-256, loadable
    /// by ONNX Runtime, with exactly the manifest's float input/output names and widths, and carrying
    /// exactly the contract metadata the manifest implies.
    /// </summary>
    /// <exception cref="ConfigException">The first problem found, naming the file and listing expected vs actual.</exception>
    public static PolicyBundle Load(string bundleDir, PolicyExpectations expectations, OrtSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(expectations);
        var dir = Path.GetFullPath(bundleDir);
        var manifestPath = Path.Combine(dir, ManifestYaml.FileName);
        var manifest = ManifestYaml.Load(manifestPath);
        CheckExpectations(manifest, expectations, manifestPath);

        var loaded = new List<LoadedPolicy>();
        try
        {
            var subs = new List<SubPolicy>();
            for (var k = 0; k < manifest.Models.SubPolicies.Count; k++)
            {
                var entry = manifest.Models.SubPolicies[k];
                var session = OpenVerified(dir, entry, $"models.sub_policies[{k}]", PolicyMetadata.SubPolicyName(k), manifest, options);
                var sub = Own(loaded, session, () => new SubPolicy(session, k, Path.Combine(dir, entry.File), entry.InputSize, entry.OutputSize));
                subs.Add(sub);
            }
            var me = manifest.Models.Master;
            var masterSession = OpenVerified(dir, me, "models.master", PolicyMetadata.MasterPolicy, manifest, options);
            var master = Own(loaded, masterSession, () => new MasterPolicy(masterSession, Path.Combine(dir, me.File), me.InputSize, me.OutputSize));
            return new PolicyBundle(manifest, dir, master, subs);
        }
        catch
        {
            foreach (var p in loaded) p.Dispose();
            throw;
        }
    }

    private static T Own<T>(List<LoadedPolicy> loaded, OrtSession session, Func<T> create) where T : LoadedPolicy
    {
        try
        {
            var p = create();
            loaded.Add(p);
            return p;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static void CheckExpectations(PolicyManifest m, PolicyExpectations e, string file)
    {
        void Fail(string key, string problem) => throw new ConfigException($"{key}: {problem}", file);

        if (m.Robot.Name != e.Robot) Fail("robot.name", $"expected '{e.Robot}' (robot config), got '{m.Robot.Name}'");
        if (!m.Robot.JointNames.SequenceEqual(e.JointNames, StringComparer.Ordinal))
        {
            var n = Math.Min(m.Robot.JointNames.Count, e.JointNames.Count);
            var at = Enumerable.Range(0, n).FirstOrDefault(i => m.Robot.JointNames[i] != e.JointNames[i], n);
            Fail("robot.joint_names", $"joint order differs from the robot config at index {at}: expected [{string.Join(", ", e.JointNames)}], got [{string.Join(", ", m.Robot.JointNames)}]");
        }
        if (m.Observation.Size != e.ObservationSize)
            Fail("observation.size", $"expected {e.ObservationSize} (the runtime's observation), got {m.Observation.Size}");
        if (e.SubPolicyCount is { } k && m.Models.SubPolicies.Count != k)
            Fail("models.sub_policies", $"expected {k} sub-policies, got {m.Models.SubPolicies.Count}");
        if (e.ControlRateHz is { } hz && m.Timing.ControlRateHz != hz)
            Fail("timing.control_rate_hz", $"expected {hz.ToString(CultureInfo.InvariantCulture)} (robot config), got {m.Timing.ControlRateHz.ToString(CultureInfo.InvariantCulture)}");
    }

    private static OrtSession OpenVerified(string dir, ModelEntry entry, string key, string policy, PolicyManifest manifest, OrtSessionOptions? options)
    {
        var path = Path.Combine(dir, entry.File);
        if (!File.Exists(path))
            throw new ConfigException($"{key}.file: model file '{entry.File}' not found in {dir}", Path.Combine(dir, ManifestYaml.FileName));

        // Hash and load the same bytes: what was verified is what runs.
        var bytes = File.ReadAllBytes(path);
        var sha = ModelHash.Sha256Hex(bytes);
        if (sha != entry.Sha256)
            throw new ConfigException($"SHA-256 mismatch: expected {entry.Sha256} ({key}.sha256 in manifest.yaml), got {sha}; the file changed after export, re-export the bundle", path);

        OrtSession session;
        try
        {
            session = OrtSession.FromBytes(bytes, options, path);
        }
        catch (OrtException e)
        {
            throw new ConfigException($"not a loadable ONNX model ({bytes.Length} bytes; truncated or not ONNX?): {e.OrtMessage}", path, e);
        }
        try
        {
            CheckTensors("input", session.Inputs, entry.Input, entry.InputSize, path);
            CheckTensors("output", session.Outputs, entry.Output, entry.OutputSize, path);
            CheckMetadata(session.Metadata.Custom, PolicyMetadata.For(manifest, policy), path);
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static void CheckTensors(string what, IReadOnlyList<OrtTensorInfo> actual, string name, int width, string file)
    {
        var one = actual.Count == 1 ? actual[0] : null;
        var ok = one is not null && one.Name == name && one.ElementType == OrtElementType.Float
                 && one.Shape.Length == 2 && one.Shape[0] is -1 or 1 && one.Shape[1] == width;
        if (!ok)
            throw new ConfigException(
                $"{what}s: expected [{name}: Float [batch, {width}]] (manifest.yaml), got [{string.Join("; ", actual)}]", file);
    }

    private static void CheckMetadata(IReadOnlyDictionary<string, string> actual, IReadOnlyDictionary<string, string> expected, string file)
    {
        var missing = expected.Keys.Where(k => !actual.ContainsKey(k)).ToList();
        var extra = actual.Keys.Where(k => !expected.ContainsKey(k)).ToList();
        if (missing.Count > 0 || extra.Count > 0)
            throw new ConfigException(
                $"metadata_props: keys differ from the Mlsh contract: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", extra)}]; expected exactly [{string.Join(", ", expected.Keys)}]", file);
        foreach (var (k, v) in expected)
            if (actual[k] != v)
                throw new ConfigException($"metadata_props '{k}': expected '{v}' (from manifest.yaml), got '{actual[k]}'", file);
    }

    public void Dispose()
    {
        foreach (var s in SubPolicies) s.Dispose();
        Master.Dispose();
    }
}

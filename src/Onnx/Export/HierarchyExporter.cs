using System.Globalization;
using Mlsh.Core.IO;
using Mlsh.Onnx.Graph;
using Mlsh.Onnx.Manifest;

namespace Mlsh.Onnx.Export;

/// <summary>
/// Everything the manifest says besides the model files: filled by `mlsh export` from the robot
/// config, the environment's observation layout and the training run.
/// </summary>
public sealed class ExportContract
{
    public required string Name { get; init; }
    public required RobotContract Robot { get; init; }
    public required ObservationContract Observation { get; init; }
    public required ActionContract Action { get; init; }
    public required TimingContract Timing { get; init; }
    /// <summary>Copied into the manifest; an empty <see cref="Manifest.Provenance.ExportedUtc"/> is set to now.</summary>
    public required Provenance Provenance { get; init; }
}

/// <summary>
/// Writes one MLSH hierarchy as a deployable bundle: <c>sub_policy_&lt;k&gt;.onnx</c> (observation →
/// joint position or velocity targets, per action.kind), <c>master.onnx</c> (observation → sub-policy logits) and
/// <c>manifest.yaml</c>. Each model carries the contract in its metadata_props. Stateless and
/// thread-safe; concurrent exports into the same directory are not supported.
/// </summary>
public static class HierarchyExporter
{
    public const string InputName = "observation";
    public const string SubPolicyOutputName = "joint_targets";
    public const string MasterOutputName = "logits";
    public const string MasterFile = "master.onnx";
    public static string SubPolicyFile(int k) => PolicyMetadata.SubPolicyName(k) + ".onnx";

    /// <summary>
    /// Exports into <paramref name="outDir"/> (created if needed). Model files are written first and
    /// the manifest last, each atomically, so a reader that finds a manifest finds its models.
    /// </summary>
    /// <param name="subPolicies">Sub-policy k's spec at index k. Its OutputScale/OutputOffset must be the
    /// contract's action.scale and <see cref="SubPolicyOutputOffset"/> (default_pose for position targets, zero for
    /// velocity targets): the graph bakes them in and the manifest documents them.</param>
    /// <param name="master">Master spec: observation → one logit per sub-policy, no output scaling.</param>
    /// <returns>The manifest as written.</returns>
    /// <exception cref="ArgumentException">A spec is inconsistent or disagrees with the contract.</exception>
    /// <exception cref="Mlsh.Core.Configuration.ConfigException">The contract itself is inconsistent.</exception>
    public static PolicyManifest Export(IReadOnlyList<PolicyGraphSpec> subPolicies, PolicyGraphSpec master, ExportContract contract, string outDir)
    {
        var (manifest, models) = Build(subPolicies, master, contract);
        Directory.CreateDirectory(outDir);
        foreach (var (file, bytes) in models) AtomicFile.WriteAllBytes(Path.Combine(outDir, file), bytes);
        ManifestYaml.Write(Path.Combine(outDir, ManifestYaml.FileName), manifest);
        return manifest;
    }

    /// <summary>The manifest and the serialized models, without touching the disk.</summary>
    internal static (PolicyManifest Manifest, IReadOnlyList<(string File, byte[] Bytes)> Models) Build(
        IReadOnlyList<PolicyGraphSpec> subPolicies, PolicyGraphSpec master, ExportContract contract)
    {
        ArgumentNullException.ThrowIfNull(subPolicies);
        ArgumentNullException.ThrowIfNull(master);
        ArgumentNullException.ThrowIfNull(contract);
        if (subPolicies.Count == 0) throw new ArgumentException("expected at least one sub-policy spec, got none", nameof(subPolicies));

        var provenance = new Provenance
        {
            Config = contract.Provenance.Config,
            ConfigSha256 = contract.Provenance.ConfigSha256,
            Iterations = contract.Provenance.Iterations,
            EvaluationSuccess = contract.Provenance.EvaluationSuccess,
            EvaluationEpisodes = contract.Provenance.EvaluationEpisodes,
            ExportedUtc = string.IsNullOrEmpty(contract.Provenance.ExportedUtc)
                ? DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
                : contract.Provenance.ExportedUtc,
        };
        var manifest = new PolicyManifest
        {
            Name = contract.Name,
            Robot = contract.Robot,
            Observation = contract.Observation,
            Action = contract.Action,
            Timing = contract.Timing,
            Provenance = provenance,
            Models = new ModelSet
            {
                Master = Entry(MasterFile, MasterOutputName, contract.Observation.Size, subPolicies.Count),
                SubPolicies = Enumerable.Range(0, subPolicies.Count)
                    .Select(k => Entry(SubPolicyFile(k), SubPolicyOutputName, contract.Observation.Size, contract.Action.Size)).ToList(),
            },
        };

        var models = new List<(string, byte[])>();
        for (var k = 0; k < subPolicies.Count; k++)
        {
            var name = PolicyMetadata.SubPolicyName(k);
            var spec = subPolicies[k] ?? throw new ArgumentException($"sub-policy spec {k} is null", nameof(subPolicies));
            CheckAgainstContract(spec, name, contract, contract.Action.Size);
            if (spec.OutputScale is null || !spec.OutputScale.AsSpan().SequenceEqual(contract.Action.Scale.ToArray()))
                throw new ArgumentException($"policy '{name}': OutputScale must equal action.scale [{Fmt(contract.Action.Scale)}], got [{Fmt(spec.OutputScale)}]");
            var offset = SubPolicyOutputOffset(contract.Action);
            if (spec.OutputOffset is null || !spec.OutputOffset.AsSpan().SequenceEqual(offset))
                throw new ArgumentException(contract.Action.IsVelocity
                    ? $"policy '{name}': OutputOffset must be zero for {ActionContract.JointVelocityTargets} (velocity targets have no offset), got [{Fmt(spec.OutputOffset)}]"
                    : $"policy '{name}': OutputOffset must equal action.default_pose [{Fmt(contract.Action.DefaultPose)}], got [{Fmt(spec.OutputOffset)}]");
            models.Add(Serialize(spec, name, manifest, manifest.Models.SubPolicies[k], contract.Action.IsVelocity
                ? $"MLSH sub-policy {k}: {InputName} -> joint velocity targets (rad/s or m/s), deterministic mean action"
                : $"MLSH sub-policy {k}: {InputName} -> joint position targets (rad), deterministic mean action"));
        }
        CheckAgainstContract(master, PolicyMetadata.MasterPolicy, contract, subPolicies.Count);
        if (master.OutputScale is not null || master.OutputOffset is not null || master.OutputClip is not null)
            throw new ArgumentException("policy 'master': expected raw logits (OutputScale, OutputOffset and OutputClip null)");
        models.Add(Serialize(master, PolicyMetadata.MasterPolicy, manifest, manifest.Models.Master,
            $"MLSH master: {InputName} -> logits over {subPolicies.Count} sub-policies"));

        ManifestValidator.Validate(manifest, "<exported manifest>");
        return (manifest, models);
    }

    /// <summary>The constant a sub-policy graph adds after scaling: action.default_pose for position targets, zero for
    /// velocity targets.</summary>
    public static float[] SubPolicyOutputOffset(ActionContract action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return action.IsVelocity ? new float[action.DefaultPose.Count] : [.. action.DefaultPose];
    }

    private static ModelEntry Entry(string file, string output, int inputSize, int outputSize) =>
        new() { File = file, Input = InputName, Output = output, InputSize = inputSize, OutputSize = outputSize };

    private static (string, byte[]) Serialize(PolicyGraphSpec spec, string name, PolicyManifest manifest, ModelEntry entry, string doc)
    {
        var model = OnnxGraphBuilder.Build(spec, name, entry.Input, entry.Output, PolicyMetadata.For(manifest, name), doc);
        var bytes = OnnxGraphBuilder.Serialize(model);
        entry.Sha256 = ModelHash.Sha256Hex(bytes);
        return (entry.File, bytes);
    }

    private static void CheckAgainstContract(PolicyGraphSpec spec, string name, ExportContract c, int outputSize)
    {
        spec.Validate(name);
        if (spec.ObservationSize != c.Observation.Size)
            throw new ArgumentException($"policy '{name}': ObservationSize must equal observation.size {c.Observation.Size}, got {spec.ObservationSize}");
        if (spec.OutputSize != outputSize)
            throw new ArgumentException($"policy '{name}': output size must be {outputSize}, got {spec.OutputSize}");
    }

    private static string Fmt(IEnumerable<float>? v) =>
        v is null ? "null" : string.Join(", ", v.Select(x => x.ToString("R", CultureInfo.InvariantCulture)));
}

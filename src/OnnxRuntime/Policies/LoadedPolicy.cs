using System.Diagnostics;

namespace Mlsh.OnnxRuntime.Policies;

/// <summary>
/// One validated model with its session bound to batch-1 buffers. Per call: copy the observation
/// in, run, copy the result out; no checks beyond Debug.Assert (widths were proven at load).
/// </summary>
public abstract class LoadedPolicy : IDisposable
{
    private readonly OrtSession _session;
    private readonly OrtBinding _binding;

    private protected LoadedPolicy(OrtSession session, string name, string file, int observationSize, int outputSize)
    {
        _session = session;
        _binding = session.Bind(batchSize: 1);
        Name = name;
        File = file;
        ObservationSize = observationSize;
        OutputSize = outputSize;
    }

    /// <summary>"master" or "sub_policy_&lt;k&gt;".</summary>
    public string Name { get; }

    /// <summary>The model file it was loaded from.</summary>
    public string File { get; }

    public int ObservationSize { get; }
    public int OutputSize { get; }

    /// <summary>The session, for inspection (inputs, outputs, metadata).</summary>
    public OrtSession Session => _session;

    private protected ReadOnlySpan<float> Infer(ReadOnlySpan<float> observation)
    {
        Debug.Assert(observation.Length == ObservationSize, $"{Name}: observation has {observation.Length} values, expected {ObservationSize}");
        observation.CopyTo(_binding.Input());
        _binding.Run();
        return _binding.Output();
    }

    public void Dispose()
    {
        _binding.Dispose();
        _session.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// Sub-policy k: observation → joint position targets (rad, action order of
/// <c>robot.joint_names</c>; scaling and default pose are inside the model). Owns its ORT session;
/// not thread-safe (one control thread).
/// </summary>
public sealed class SubPolicy : LoadedPolicy
{
    internal SubPolicy(OrtSession session, int index, string file, int observationSize, int jointCount)
        : base(session, Onnx.Manifest.PolicyMetadata.SubPolicyName(index), file, observationSize, jointCount) => Index = index;

    public int Index { get; }

    /// <summary>Writes the deterministic joint targets for <paramref name="observation"/>. Allocates nothing.</summary>
    public void Act(ReadOnlySpan<float> observation, Span<float> jointTargets)
    {
        Debug.Assert(jointTargets.Length == OutputSize, $"{Name}: jointTargets has {jointTargets.Length} values, expected {OutputSize}");
        Infer(observation).CopyTo(jointTargets);
    }
}

/// <summary>
/// The master: observation → one logit per sub-policy. Owns its ORT session; not thread-safe.
/// </summary>
public sealed class MasterPolicy : LoadedPolicy
{
    internal MasterPolicy(OrtSession session, string file, int observationSize, int subPolicyCount)
        : base(session, Onnx.Manifest.PolicyMetadata.MasterPolicy, file, observationSize, subPolicyCount) { }

    public int SubPolicyCount => OutputSize;

    /// <summary>Writes the logits for <paramref name="observation"/>. Allocates nothing.</summary>
    public void Logits(ReadOnlySpan<float> observation, Span<float> logits)
    {
        Debug.Assert(logits.Length == OutputSize, $"{Name}: logits has {logits.Length} values, expected {OutputSize}");
        Infer(observation).CopyTo(logits);
    }

    /// <summary>The deterministic choice: the sub-policy with the highest logit (lowest index on ties). Allocates nothing.</summary>
    public int Select(ReadOnlySpan<float> observation) =>
        System.Numerics.Tensors.TensorPrimitives.IndexOfMax(Infer(observation));
}

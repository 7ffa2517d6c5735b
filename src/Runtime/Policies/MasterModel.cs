using System.Diagnostics;
using Mlsh.OnnxRuntime;
using Mlsh.OnnxRuntime.Policies;

namespace Mlsh.Runtime.Policies;

/// <summary>
/// The master the controller ticks: observation → one logit per sub-policy. Either the bundle's own master
/// (<see cref="FromBundle"/>, owned by the bundle) or one hot-swapped in by <see cref="MasterLoader"/> (owns its
/// ONNX Runtime session). <see cref="Logits"/> runs on one thread at a time (the control thread, or the inference thread) and allocates nothing.
/// </summary>
public abstract class MasterModel : IDisposable
{
    private protected MasterModel(string source, string sha256, int subPolicyCount)
    {
        Source = source;
        Sha256 = sha256;
        SubPolicyCount = subPolicyCount;
    }

    /// <summary>The model file it came from.</summary>
    public string Source { get; }

    /// <summary>Lower-case hex SHA-256 of that file.</summary>
    public string Sha256 { get; }

    public int SubPolicyCount { get; }

    public abstract void Logits(ReadOnlySpan<float> observation, Span<float> logits);

    public static MasterModel FromBundle(PolicyBundle bundle) => new BundleMaster(bundle);

    public virtual void Dispose() => GC.SuppressFinalize(this);

    private sealed class BundleMaster(PolicyBundle bundle)
        : MasterModel(bundle.Master.File, bundle.Manifest.Models.Master.Sha256, bundle.Master.SubPolicyCount)
    {
        private readonly MasterPolicy _master = bundle.Master;

        public override void Logits(ReadOnlySpan<float> observation, Span<float> logits) => _master.Logits(observation, logits);
    }
}

/// <summary>A master loaded from its own file at run time; owns its session and batch-1 binding.</summary>
internal sealed class SessionMaster : MasterModel
{
    private readonly OrtSession _session;
    private readonly OrtBinding _binding;

    internal SessionMaster(OrtSession session, string source, string sha256, int subPolicyCount) : base(source, sha256, subPolicyCount)
    {
        _session = session;
        _binding = session.Bind(batchSize: 1);
    }

    public override void Logits(ReadOnlySpan<float> observation, Span<float> logits)
    {
        Debug.Assert(logits.Length == SubPolicyCount);
        observation.CopyTo(_binding.Input());
        _binding.Run();
        _binding.Output().CopyTo(logits);
    }

    private int _disposed;

    public override void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _binding.Dispose();
        _session.Dispose();
        base.Dispose();
    }
}

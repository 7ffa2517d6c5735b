using System.Globalization;
using Mlsh.Onnx.Manifest;
using Mlsh.Runtime.Control;
using Mlsh.Runtime.Policies;

namespace Mlsh.Runtime.Handover;

/// <summary>
/// Certified handover of a pushed master: the candidate first runs in shadow on the robot (the controller evaluates it
/// at every master tick beside the active master and counts agreement, but never acts on it) while simulated episodes on
/// the new layout estimate its success rate; it becomes the active master only when the one-sided lower confidence bound
/// of that rate exceeds the threshold (and, when the incumbent was evaluated on the same layout, the incumbent's rate).
/// Every decision is written atomically as JSON (<see cref="HandoverEvidence"/>) before the swap is requested.
/// </summary>
/// <remarks>
/// Runs on a non-control thread (the node's supervisor or a worker): it only writes the lock-free mailboxes of
/// <see cref="OperatorCommands"/> and reads the status seqlock, so the control loop never waits for it.
/// Owns the candidates it was given; Dispose (after the control loop stopped) disposes them.
/// </remarks>
public sealed class ShadowHandover : IDisposable
{
    private readonly HierarchicalController _controller;
    private readonly HandoverSettings _settings;
    private readonly string _evidenceDirectory;
    private readonly List<MasterModel> _owned = [];

    /// <param name="evidenceDirectory">Where the decisions go: one JSON file per decision,
    /// handover-&lt;utc&gt;-&lt;sha256 prefix&gt;.json, each written atomically and never overwritten (an audit trail).</param>
    public ShadowHandover(HierarchicalController controller, HandoverSettings settings, string evidenceDirectory)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(evidenceDirectory);
        _controller = controller;
        _settings = settings.Validate();
        _evidenceDirectory = evidenceDirectory;
    }

    public HandoverSettings Settings => _settings;

    /// <summary>The file of the latest decision (null before the first).</summary>
    public string? LastEvidencePath { get; private set; }

    /// <summary>Loads and validates a pushed master exactly as a hot-swap does (hash, ONNX Runtime, contract) and puts it in shadow.</summary>
    /// <exception cref="Core.Configuration.ConfigException">The file is missing, its hash differs, or it breaks the contract.</exception>
    public MasterModel BeginShadow(string path, string sha256, PolicyManifest manifest)
    {
        var candidate = MasterLoader.Load(path, sha256, manifest);
        BeginShadow(candidate);
        return candidate;
    }

    /// <summary>Puts <paramref name="candidate"/> (ownership passes here) in shadow from the next master tick.</summary>
    public void BeginShadow(MasterModel candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (candidate.SubPolicyCount != _controller.Master.SubPolicyCount)
            throw new ArgumentException($"candidate chooses among {candidate.SubPolicyCount} sub-policies, the running master among {_controller.Master.SubPolicyCount}", nameof(candidate));
        lock (_owned) _owned.Add(candidate);
        _controller.Commands.OfferShadow(candidate);
    }

    /// <summary>
    /// Waits until the candidate has run <see cref="HandoverSettings.MinShadowTicks"/> master ticks in shadow, decides from
    /// the simulated evaluation, writes the evidence, then requests the promotion or the drop (applied at the next master tick).
    /// </summary>
    /// <param name="incumbent">The active master's episodes on the same layout, or null to judge against the threshold only.</param>
    public HandoverEvidence Decide(MasterModel candidate, SimulatedEvaluation evaluation, SimulatedEvaluation? incumbent = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(evaluation);
        var status = WaitForShadowTicks(candidate, cancel);
        var ran = ReferenceEquals(_controller.Shadow, candidate);
        var shadowTicks = ran ? status.ShadowTicks : 0;
        var shadowAgreements = ran ? status.ShadowAgreements : 0;
        var bound = evaluation.Episodes > 0 && evaluation.Successes >= 0 && evaluation.Successes <= evaluation.Episodes
            ? SuccessBounds.Lower(_settings.Method, evaluation.Successes, evaluation.Episodes, _settings.Confidence)
            : 0;
        var f = CultureInfo.InvariantCulture;
        string reason;
        var promote = false;
        if (evaluation.Episodes < 1 || evaluation.Successes < 0 || evaluation.Successes > evaluation.Episodes)
            reason = $"no valid simulated evaluation ({evaluation.Successes} successes in {evaluation.Episodes} episodes)";
        else if (!ran || shadowTicks < _settings.MinShadowTicks)
            reason = string.Create(f, $"the candidate ran {shadowTicks} master ticks in shadow, {_settings.MinShadowTicks} are required");
        else if (!(bound > _settings.Threshold))
            reason = string.Create(f, $"lower bound {bound:F4} on success ({evaluation.Successes}/{evaluation.Episodes}) does not exceed the threshold {_settings.Threshold:F4}");
        else if (incumbent is not null && !(bound > incumbent.SuccessRate))
            reason = string.Create(f, $"lower bound {bound:F4} does not exceed the active master's success rate {incumbent.SuccessRate:F4} on {incumbent.Layout}");
        else
        {
            promote = true;
            reason = string.Create(f, $"lower bound {bound:F4} on success ({evaluation.Successes}/{evaluation.Episodes}) exceeds the threshold {_settings.Threshold:F4}")
                     + (incumbent is null ? "" : string.Create(f, $" and the active master's rate {incumbent.SuccessRate:F4}"));
        }
        var active = _controller.Master;
        var evidence = new HandoverEvidence
        {
            Utc = HandoverEvidence.Now(),
            Candidate = candidate.Source,
            CandidateSha256 = candidate.Sha256,
            Incumbent = active.Source,
            IncumbentSha256 = active.Sha256,
            Layout = evaluation.Layout,
            Episodes = evaluation.Episodes,
            Successes = evaluation.Successes,
            SuccessRate = evaluation.SuccessRate,
            BoundMethod = _settings.Method == BoundMethod.Wilson ? "wilson" : "clopper_pearson",
            Confidence = _settings.Confidence,
            LowerBound = bound,
            Threshold = _settings.Threshold,
            IncumbentSuccessRate = incumbent?.SuccessRate,
            IncumbentEpisodes = incumbent?.Episodes,
            ShadowTicks = shadowTicks,
            ShadowAgreements = shadowAgreements,
            ShadowAgreementRate = shadowTicks > 0 ? (double)shadowAgreements / shadowTicks : null,
            Decision = promote ? "promote" : "reject",
            Reason = reason,
        };
        // DESIGN: evidence first, swap second. A crash in between leaves a record of a promotion that did not happen,
        // never a master on the robot without its record.
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'.'fffffff'Z'", CultureInfo.InvariantCulture);
        var path = Path.Combine(_evidenceDirectory, $"handover-{stamp}-{candidate.Sha256[..Math.Min(12, candidate.Sha256.Length)]}.json");
        evidence.Write(path);
        LastEvidencePath = path;
        if (promote) _controller.Commands.PromoteShadow();
        else _controller.Commands.DropShadow();
        return evidence;
    }

    /// <summary>
    /// The whole handover: shadow the candidate while <paramref name="evaluate"/> runs the simulated episodes on this
    /// thread (never the control thread), then <see cref="Decide"/>.
    /// </summary>
    public HandoverEvidence Run(MasterModel candidate, Func<CancellationToken, SimulatedEvaluation> evaluate,
        Func<CancellationToken, SimulatedEvaluation>? evaluateIncumbent = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(evaluate);
        BeginShadow(candidate);
        var evaluation = evaluate(cancel);
        var incumbent = evaluateIncumbent?.Invoke(cancel);
        return Decide(candidate, evaluation, incumbent, cancel);
    }

    /// <summary>Disposes a dropped shadow and any retired master this handover owns (call from a non-control thread).</summary>
    public void CollectRetired()
    {
        if (_controller.Commands.TakeRetiredShadow() is { } shadow) Release(shadow);
        if (_controller.Commands.TakeRetiredMaster() is { } master) Release(master);
    }

    private void Release(MasterModel m)
    {
        bool mine;
        lock (_owned) mine = _owned.Remove(m);
        // Masters this handover did not create (the bundle's, a hot-swapped one) stay with their owners.
        if (mine) m.Dispose();
    }

    private ControllerStatus WaitForShadowTicks(MasterModel candidate, CancellationToken cancel)
    {
        var until = DateTime.UtcNow + _settings.ShadowTimeout;
        while (true)
        {
            var s = _controller.Status.Read();
            if (ReferenceEquals(_controller.Shadow, candidate) && s.ShadowTicks >= _settings.MinShadowTicks) return s;
            if (DateTime.UtcNow >= until || cancel.IsCancellationRequested) return s;
            Thread.Sleep(5);
        }
    }

    public void Dispose()
    {
        lock (_owned)
        {
            foreach (var m in _owned) m.Dispose();
            _owned.Clear();
        }
    }
}

using System.Text.Json;
using Mlsh.OnnxRuntime.Policies;
using Mlsh.Runtime.Configuration;
using Mlsh.Runtime.Control;
using Mlsh.Runtime.Handover;
using Mlsh.Runtime.Policies;
using Mlsh.Runtime.Tests.TestSupport;

namespace Mlsh.Runtime.Tests.Handover;

public sealed class ShadowHandoverTests : IDisposable
{
    private readonly QuadrupedBundle _models = new(seed: 21);
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-runtime-handover-").FullName;
    private readonly List<IDisposable> _owned = [];

    public void Dispose()
    {
        foreach (var d in _owned) d.Dispose();
        _models.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private (HierarchicalController Controller, ScriptedHardware Hardware) Create()
    {
        var p = TestParameters.Load(_dir, null, _models.Dir);
        var bundle = PolicyBundle.Load(p.ModelsDir, DeploymentContract.ExpectationsFor(p));
        _owned.Add(bundle);
        var hw = new ScriptedHardware(8);
        return (new HierarchicalController(p, bundle, hw), hw);
    }

    /// <summary>A candidate master (same contract, other weights) exported and validated as a pushed master would be.</summary>
    private MasterModel Candidate(int seed)
    {
        var dir = Path.Combine(_dir, $"candidate-{seed}");
        var path = _models.ExportAnotherMaster(dir, seed);
        var manifest = Onnx.Manifest.ManifestYaml.Load(Path.Combine(_models.Dir, Onnx.Manifest.ManifestYaml.FileName));
        var sha = Onnx.Manifest.ModelHash.Sha256Hex(File.ReadAllBytes(path));
        var m = MasterLoader.Load(path, sha, manifest);
        return m;
    }

    /// <summary>Moves the robot a little every cycle so the master's inputs (and choices) vary over the run.</summary>
    private static void Wiggle(ScriptedHardware hw, int cycle)
    {
        for (var j = 0; j < 8; j++)
        {
            hw.State.JointPositions[j] = QuadrupedBundle.DefaultPose[j] + 0.3 * Math.Sin(0.013 * cycle + j);
            hw.State.JointVelocities[j] = 2 * Math.Cos(0.011 * cycle + 2 * j);
        }
        hw.State.Position[0] = 0.002 * cycle;
    }

    [Fact]
    public void ShadowMaster_IsEvaluatedAtEveryMasterTick_ButNeverChangesWhatTheRobotIsCommanded()
    {
        var (withShadow, hwA) = Create();
        var (reference, hwB) = Create();
        // A candidate that disagrees with the active master somewhere along the scripted run (else the test proves little).
        var candidate = Candidate(seed: 99);
        _owned.Add(candidate);
        withShadow.Commands.OfferShadow(candidate);

        var disagreements = 0;
        for (var c = 0; c < 50 * QuadrupedBundle.MasterPeriod; c++)
        {
            Wiggle(hwA, c);
            Wiggle(hwB, c);
            withShadow.Update();
            reference.Update();
            hwA.LastCommand.Should().Equal(hwB.LastCommand, $"cycle {c}: the shadow must not change the efforts");
            var s = withShadow.Status.Read();
            s.ActiveSkill.Should().Be(reference.Status.Read().ActiveSkill);
            if (s.ShadowChoice >= 0 && s.ShadowChoice != s.MasterChoice && (c % QuadrupedBundle.MasterPeriod) == 0) disagreements++;
        }

        var status = withShadow.Status.Read();
        status.ShadowTicks.Should().Be(status.MasterTicks, "the shadow runs at every master tick from the first");
        status.ShadowAgreements.Should().BeLessThan(status.ShadowTicks);
        disagreements.Should().BeGreaterThan(0, "the candidate chose differently at some ticks, and the robot still followed the active master");
        withShadow.Master.Should().NotBeSameAs(candidate);
        status.MasterSwaps.Should().Be(0);
    }

    [Fact]
    public void Update_WithAShadowAndATimedOverride_AllocatesNothing()
    {
        var (ctl, hw) = Create();
        var candidate = Candidate(seed: 77);
        _owned.Add(candidate);
        ctl.Commands.OfferShadow(candidate);
        for (var i = 0; i < 500; i++) ctl.Update();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 5_000; i++)
        {
            if (i == 1000) ctl.Commands.ForceSkill(1, 700);
            Wiggle(hw, i);
            ctl.Update();
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().Be(0);
        ctl.Status.Read().ShadowTicks.Should().BeGreaterThan(100, "the shadow ran throughout");
    }

    [Fact]
    public void Handover_HappensOnlyWhenTheLowerBoundExceedsTheThreshold_AndEveryDecisionIsRecorded()
    {
        var (ctl, hw) = Create();
        var evidence = Path.Combine(_dir, "evidence");
        using var handover = new ShadowHandover(ctl, new HandoverSettings { Threshold = 0.8, Confidence = 0.95, MinShadowTicks = 5, ShadowTimeout = TimeSpan.Zero }, evidence);
        var original = ctl.Master;
        var cycle = 0;
        void Run(int ticks)
        {
            for (var i = 0; i < ticks * QuadrupedBundle.MasterPeriod; i++, cycle++)
            {
                Wiggle(hw, cycle);
                ctl.Update();
            }
        }

        // 19 of 20 simulated successes: a 95 % rate, but the one-sided 95 % Clopper-Pearson bound is 0.78 < 0.8.
        var first = Candidate(seed: 41);
        handover.BeginShadow(first);
        Run(6);
        var rejected = handover.Decide(first, new SimulatedEvaluation(20, 19, "layouts/heldout/loop.yaml"));
        Run(1);
        handover.CollectRetired();

        rejected.Decision.Should().Be("reject");
        rejected.LowerBound.Should().BeApproximately(SuccessBounds.ClopperPearsonLower(19, 20, 0.95), 1e-12).And.BeLessThan(0.8);
        rejected.ShadowTicks.Should().Be(6);
        ctl.Master.Should().BeSameAs(original, "a rejected candidate never drives the robot");
        ctl.Shadow.Should().BeNull("the rejected candidate was dropped");
        var rejectFile = handover.LastEvidencePath!;
        ReadEvidence(rejectFile).GetProperty("decision").GetString().Should().Be("reject");

        // 60 of 60: bound 0.05^(1/60) = 0.951 > 0.8 → promoted at the next master tick, evidence written before the swap.
        var second = Candidate(seed: 42);
        handover.BeginShadow(second);
        Run(6);
        var promoted = handover.Decide(second, new SimulatedEvaluation(60, 60, "layouts/heldout/loop.yaml"));
        var json = ReadEvidence(handover.LastEvidencePath!);
        ctl.Master.Should().BeSameAs(original, "the swap happens at the next master tick, after the evidence is on disk");
        Run(1);

        promoted.Decision.Should().Be("promote");
        ctl.Master.Should().BeSameAs(second);
        ctl.Status.Read().MasterSwaps.Should().Be(1);
        json.GetProperty("decision").GetString().Should().Be("promote");
        json.GetProperty("episodes").GetInt32().Should().Be(60);
        json.GetProperty("successes").GetInt32().Should().Be(60);
        json.GetProperty("lower_bound").GetDouble().Should().BeApproximately(Math.Pow(0.05, 1.0 / 60), 1e-9);
        json.GetProperty("threshold").GetDouble().Should().Be(0.8);
        json.GetProperty("bound_method").GetString().Should().Be("clopper_pearson");
        json.GetProperty("candidate_sha256").GetString().Should().Be(second.Sha256);
        json.GetProperty("incumbent_sha256").GetString().Should().Be(original.Sha256);
        var rate = json.GetProperty("shadow_agreement_rate").GetDouble();
        rate.Should().BeApproximately((double)promoted.ShadowAgreements / promoted.ShadowTicks, 1e-12).And.BeInRange(0, 1);
        Directory.GetFiles(evidence).Should().BeEquivalentTo([rejectFile, handover.LastEvidencePath],
            "one file per decision, both kept, no temporary left behind by the atomic writes");
    }

    [Fact]
    public void Handover_AgainstTheIncumbent_RejectsACandidateWhoseBoundDoesNotBeatTheActiveMastersRate()
    {
        var (ctl, hw) = Create();
        var evidence = Path.Combine(_dir, "vs-incumbent");
        using var handover = new ShadowHandover(ctl, new HandoverSettings { Threshold = 0.5, MinShadowTicks = 1, ShadowTimeout = TimeSpan.Zero }, evidence);
        var candidate = Candidate(seed: 43);
        handover.BeginShadow(candidate);
        for (var i = 0; i < 2 * QuadrupedBundle.MasterPeriod; i++) ctl.Update();

        // 45/50: bound ≈ 0.80 > 0.5, but the active master already succeeds 49 times in 50.
        var e = handover.Decide(candidate, new SimulatedEvaluation(50, 45, "maze"), new SimulatedEvaluation(50, 49, "maze"));
        for (var i = 0; i < QuadrupedBundle.MasterPeriod; i++) ctl.Update();

        e.Decision.Should().Be("reject");
        e.Reason.Should().Contain("active master");
        e.IncumbentSuccessRate.Should().Be(0.98);
        ctl.Master.Should().NotBeSameAs(candidate);
        _ = hw;
    }

    [Fact]
    public void Handover_WithTooFewShadowTicks_IsRejectedEvenWithPerfectSimulation()
    {
        var (ctl, _) = Create();
        using var handover = new ShadowHandover(ctl, new HandoverSettings { Threshold = 0.5, MinShadowTicks = 100, ShadowTimeout = TimeSpan.Zero }, Path.Combine(_dir, "few"));
        var candidate = Candidate(seed: 44);
        handover.BeginShadow(candidate);
        for (var i = 0; i < 3 * QuadrupedBundle.MasterPeriod; i++) ctl.Update();

        var e = handover.Decide(candidate, new SimulatedEvaluation(200, 200, "maze"));

        e.Decision.Should().Be("reject");
        e.Reason.Should().Contain("100 are required");
    }

    private static JsonElement ReadEvidence(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone();
}

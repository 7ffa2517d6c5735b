using Mlsh.Onnx.Graph;
using Mlsh.OnnxRuntime.Policies;

namespace Mlsh.OnnxRuntime.Tests.Policies;

public class PolicyParityTests
{
    private const int Observations = 10_000;

    [Fact]
    public void EveryExportedModel_MatchesReferenceForward_Within1e5_Over10000RandomObservations()
    {
        // Sub-policy 0 also clips its mean action, so that branch of the graph is covered too.
        using var m = new TestModels(subPolicyCount: 4, seed: 7, firstSubPolicyOutputClip: 0.5f);
        using var bundle = PolicyBundle.Load(m.Dir, new PolicyExpectations
        {
            Robot = m.Contract.Robot.Name, JointNames = m.Contract.Robot.JointNames, ObservationSize = 40,
        });
        var models = bundle.SubPolicies.Select((s, k) => (Policy: (LoadedPolicy)s, Spec: m.SubPolicies[k]))
            .Append((bundle.Master, m.Master)).ToList();
        var rng = new Random(11);
        var obs = new float[40];

        foreach (var (policy, spec) in models)
        {
            var reference = new PolicyForward(spec);
            var ort = new float[policy.OutputSize];
            var expected = new float[policy.OutputSize];
            var maxAbs = 0f;
            for (var n = 0; n < Observations; n++)
            {
                // Around the normalizer's range and well beyond it, so clipping is exercised.
                for (var i = 0; i < obs.Length; i++) obs[i] = (float)(rng.NextDouble() * 2 - 1) * (n % 4 == 0 ? 30f : 3f);
                if (policy is SubPolicy sp) sp.Act(obs, ort); else ((MasterPolicy)policy).Logits(obs, ort);
                reference.Evaluate(obs, expected);
                for (var j = 0; j < ort.Length; j++) maxAbs = MathF.Max(maxAbs, MathF.Abs(ort[j] - expected[j]));
            }
            maxAbs.Should().BeLessThanOrEqualTo(1e-5f, $"{policy.Name}: max |ORT - reference| over {Observations} observations");
        }
    }

    [Fact]
    public void Parity_DetectsAWrongWeight()
    {
        // The parity check can fail: perturb one reference weight by 1e-3 and the outputs diverge.
        using var m = new TestModels(observationSize: 10, joints: 2, subPolicyCount: 2, hidden: [8, 8]);
        using var bundle = PolicyBundle.Load(m.Dir, new PolicyExpectations { Robot = m.Contract.Robot.Name, JointNames = m.Contract.Robot.JointNames, ObservationSize = 10 });
        var spec = m.SubPolicies[0];
        var w = (float[])spec.Layers[2].Weights.Clone();
        w[0] += 1e-3f;
        var perturbed = new PolicyForward(spec with { Layers = [spec.Layers[0], spec.Layers[1], spec.Layers[2] with { Weights = w }] });
        var obs = Enumerable.Range(0, 10).Select(i => 0.3f * i).ToArray();
        var ort = new float[2];
        var reference = new float[2];

        bundle.SubPolicies[0].Act(obs, ort);
        perturbed.Evaluate(obs, reference);

        MathF.Abs(ort[0] - reference[0]).Should().BeGreaterThan(1e-5f);
    }
}

using Mlsh.NeuralNets.Policies;
using Mlsh.Onnx.Export;
using Mlsh.Onnx.Graph;
using Mlsh.OnnxRuntime.Policies;
using static Mlsh.TestSupport.TrainedNetworks;

namespace Mlsh.OnnxRuntime.Tests.Policies;

/// <summary>ONNX Runtime against the trainer's own forward pass (Mlsh.NeuralNets), end to end through export and load.</summary>
public class TrainerParityTests
{
    private const int Observations = 10_000;

    [Fact]
    public void ExportedTrainerPolicies_MatchTrainerForwardPass_Within1e5_Over10000RandomObservations()
    {
        const int obsSize = 40, joints = 8, k = 2;
        var (_, _, contract) = SyntheticBundle.Create(obsSize, [64, 64], joints, k);
        var subs = Enumerable.Range(0, k)
            .Select(i => Trained(new GaussianActorCritic(new ActorCriticOptions { ObservationSize = obsSize, ActionSize = joints, Seed = (ulong)(10 + i) }), i))
            .ToArray();
        var master = Trained(new CategoricalActorCritic(new ActorCriticOptions { ObservationSize = obsSize, ActionSize = k, Seed = 20 }), 99);
        var dir = Directory.CreateTempSubdirectory("mlsh-trainer-parity-").FullName;
        try
        {
            HierarchyExporter.Export(
                subs.Select(s => ActorCriticSpecs.FromSubPolicy(s, contract.Action.Scale, contract.Action.DefaultPose)).ToArray(),
                ActorCriticSpecs.FromMaster(master), contract, dir);
            using var bundle = PolicyBundle.Load(dir, new PolicyExpectations
            {
                Robot = contract.Robot.Name, JointNames = contract.Robot.JointNames, ObservationSize = obsSize, SubPolicyCount = k,
            });

            var rng = new Random(3);
            var obs = new float[obsSize];
            var ort = new float[joints];
            var mean = new float[joints];
            var clipped = new float[joints];
            var normalized = new float[obsSize];
            var ortLogits = new float[k];
            var logits = new float[k];
            var maxSub = 0f;
            var maxMaster = 0f;
            for (var n = 0; n < Observations; n++)
            {
                for (var i = 0; i < obsSize; i++) obs[i] = (n % 4 == 0 ? 40f : 6f) * rng.NextSingle() - 1f;
                var s = n % k;
                bundle.SubPolicies[s].Act(obs, ort);
                subs[s].ActDeterministic(obs, 1, mean);
                subs[s].ClipActions(mean, clipped);
                for (var j = 0; j < joints; j++)
                    maxSub = MathF.Max(maxSub, MathF.Abs(ort[j] - (contract.Action.DefaultPose[j] + contract.Action.Scale[j] * clipped[j])));

                bundle.Master.Logits(obs, ortLogits);
                master.Normalizer.Normalize(obs, 1, normalized);
                master.PolicyNetwork.Infer(normalized, 1, logits);
                for (var j = 0; j < k; j++) maxMaster = MathF.Max(maxMaster, MathF.Abs(ortLogits[j] - logits[j]));
            }

            maxSub.Should().BeLessThanOrEqualTo(1e-5f, "sub-policies: max |ORT - trainer| joint target");
            maxMaster.Should().BeLessThanOrEqualTo(1e-5f, "master: max |ORT - trainer| logit");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

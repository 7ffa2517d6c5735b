using Mlsh.NeuralNets.Policies;
using Mlsh.Onnx.Export;
using Mlsh.Onnx.Graph;
using static Mlsh.TestSupport.TrainedNetworks;

namespace Mlsh.Onnx.Tests.Export;

public class ActorCriticSpecsTests
{
    [Fact]
    public void FromSubPolicy_ForwardEqualsTrainersClippedScaledMeanAction()
    {
        var sub = Trained(new GaussianActorCritic(new ActorCriticOptions { ObservationSize = 12, ActionSize = 3, HiddenSizes = [16, 16], Seed = 3 }), 1);
        float[] scale = [0.5f, 0.25f, 1f];
        float[] pose = [0.1f, -0.2f, 0.3f];
        var forward = new PolicyForward(ActorCriticSpecs.FromSubPolicy(sub, scale, pose));
        var rng = new Random(9);
        var obs = new float[12];
        var mean = new float[3];
        var clipped = new float[3];
        var got = new float[3];

        for (var n = 0; n < 1_000; n++)
        {
            for (var i = 0; i < obs.Length; i++) obs[i] = 6f * rng.NextSingle() - 1f;
            sub.ActDeterministic(obs, 1, mean);
            sub.ClipActions(mean, clipped);
            forward.Evaluate(obs, got);
            for (var j = 0; j < 3; j++) got[j].Should().BeApproximately(pose[j] + scale[j] * clipped[j], 1e-5f);
        }
    }

    [Fact]
    public void FromMaster_ForwardEqualsTrainersLogits()
    {
        var master = Trained(new CategoricalActorCritic(new ActorCriticOptions { ObservationSize = 12, ActionSize = 4, HiddenSizes = [16, 16], Seed = 5 }), 2);
        var spec = ActorCriticSpecs.FromMaster(master);
        var forward = new PolicyForward(spec);
        var obs = Enumerable.Range(0, 12).Select(i => MathF.Cos(i) * 2f).ToArray();
        var normalized = new float[12];
        var logits = new float[4];
        var got = new float[4];

        master.Normalizer.Normalize(obs, 1, normalized);
        master.PolicyNetwork.Infer(normalized, 1, logits);
        forward.Evaluate(obs, got);

        for (var j = 0; j < 4; j++) got[j].Should().BeApproximately(logits[j], 1e-5f);
        spec.OutputScale.Should().BeNull();
        spec.ObservationClip.Should().Be(master.Normalizer.Clip);
    }

    [Fact]
    public void FromSubPolicy_SnapshotsWeights_SoLaterTrainingDoesNotChangeTheSpec()
    {
        var sub = new GaussianActorCritic(new ActorCriticOptions { ObservationSize = 4, ActionSize = 2, HiddenSizes = [3], Seed = 1 });
        var spec = ActorCriticSpecs.FromSubPolicy(sub, [1f, 1f], [0f, 0f]);
        var before = spec.Layers[0].Weights.ToArray();
        sub.Parameters.Fill(7f);
        spec.Layers[0].Weights.Should().Equal(before);
    }

    [Fact]
    public void FromSubPolicy_Rejects_ScaleOfWrongLength()
    {
        var sub = new GaussianActorCritic(new ActorCriticOptions { ObservationSize = 4, ActionSize = 2, HiddenSizes = [3], Seed = 1 });
        FluentActions.Invoking(() => ActorCriticSpecs.FromSubPolicy(sub, [1f], [0f, 0f])).Should().Throw<ArgumentException>()
            .WithMessage("action scale/default pose: expected 2 values each (the sub-policy's action size), got 1/2");
    }
}

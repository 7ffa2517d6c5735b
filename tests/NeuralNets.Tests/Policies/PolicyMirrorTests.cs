using Mlsh.NeuralNets.Policies;

namespace Mlsh.NeuralNets.Tests.Policies;

public class PolicyMirrorTests
{
    // A toy robot: observation (x, y, ω_z, left joint, right joint), action (left, right, yaw).
    private static readonly int[] ObsSource = [0, 1, 2, 4, 3];
    private static readonly float[] ObsSign = [1, -1, -1, 1, 1];
    private static readonly int[] ActSource = [1, 0, 2];
    private static readonly float[] ActSign = [1, 1, -1];

    private static GaussianActorCritic Trained()
    {
        var policy = new GaussianActorCritic(new ActorCriticOptions { ObservationSize = 5, ActionSize = 3, HiddenSizes = [7, 6], Seed = 4 });
        var noise = GradientCheck.RandomArray(policy.Parameters.Length, 11, 0.5f);
        for (var i = 0; i < noise.Length; i++) policy.Parameters[i] += noise[i];
        // Statistics with a non-zero mean on the sign-flipped entries, so a mirror that forgot them would show.
        var data = GradientCheck.RandomArray(64 * 5, 12, 2f);
        for (var r = 0; r < 64; r++) { data[r * 5 + 1] += 1.5f; data[r * 5 + 3] -= 0.7f; }
        policy.Normalizer.Update(data, 64);
        return policy;
    }

    private static float[] Apply(int[] source, float[] sign, float[] v) => [.. source.Select((s, i) => sign[i] * v[s])];

    [Fact]
    public void Mirror_ActsAsTheOriginalOnTheMirroredObservation_WithTheActionMirroredBack()
    {
        var policy = Trained();
        var image = PolicyMirror.Mirror(policy, ObsSource, ObsSign, ActSource, ActSign);
        var observations = GradientCheck.RandomArray(10 * 5, 13, 3f);
        for (var r = 0; r < 10; r++)
        {
            var o = observations.AsSpan(r * 5, 5).ToArray();
            var mirrored = Apply(ObsSource, ObsSign, o);
            var original = new float[3];
            policy.ActDeterministic(mirrored, 1, original);
            var expected = Apply(ActSource, ActSign, original);
            var actual = new float[3];
            image.ActDeterministic(o, 1, actual);
            for (var j = 0; j < 3; j++) actual[j].Should().BeApproximately(expected[j], 1e-5f);
            image.PredictValue(o).Should().BeApproximately(policy.PredictValue(mirrored), 1e-5f);
        }
        image.LogStd.ToArray().Should().Equal(policy.LogStd[1], policy.LogStd[0], policy.LogStd[2]);
    }

    [Fact]
    public void Mirror_Twice_GivesBackTheOriginalParametersAndStatistics()
    {
        var policy = Trained();
        var twice = PolicyMirror.Mirror(PolicyMirror.Mirror(policy, ObsSource, ObsSign, ActSource, ActSign), ObsSource, ObsSign, ActSource, ActSign);
        twice.Parameters.ToArray().Should().Equal(policy.Parameters.ToArray());
        twice.Normalizer.Mean.ToArray().Should().Equal(policy.Normalizer.Mean.ToArray());
        twice.Normalizer.Std.ToArray().Should().Equal(policy.Normalizer.Std.ToArray());
        twice.Normalizer.Count.Should().Be(policy.Normalizer.Count);
    }

    [Fact]
    public void Mirror_CarriesBlindedInputsToTheirImages()
    {
        var policy = Trained();
        policy.BlindPolicyTo(3, 1); // the left joint
        var image = PolicyMirror.Mirror(policy, ObsSource, ObsSign, ActSource, ActSign);
        image.BlindInputs.ToArray().Should().Equal(4);
        var first = image.PolicyNetwork.Layers[0];
        first.Weights.Slice(4 * first.OutputSize, first.OutputSize).ToArray().Should().OnlyContain(w => w == 0);
        first.Weights.Slice(3 * first.OutputSize, first.OutputSize).ToArray().Should().Contain(w => w != 0);
    }

    [Fact]
    public void Mirror_RejectsAMapThatIsNotASignedInvolution()
    {
        var policy = Trained();
        var notAnInvolution = () => PolicyMirror.Mirror(policy, [1, 2, 0, 3, 4], [1, 1, 1, 1, 1], ActSource, ActSign);
        notAnInvolution.Should().Throw<ArgumentException>().Which.Message.Should().Contain("observation mirror is not a signed involution");
        var wrongLength = () => PolicyMirror.Mirror(policy, ObsSource, ObsSign, [0, 1], [1, 1]);
        wrongLength.Should().Throw<ArgumentException>().Which.Message.Should().Contain("the policy has 3 action elements");
    }
}

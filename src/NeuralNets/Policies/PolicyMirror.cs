namespace Mlsh.NeuralNets.Policies;

/// <summary>
/// Builds the mirror image of a continuous policy under a symmetry of its robot: given signed permutations
/// M_o (observations) and M_a (actions), each an involution written as <c>(M v)[i] = sign[i] · v[source[i]]</c>,
/// the result is an ordinary <see cref="GaussianActorCritic"/> of the same shape with
/// μ′(o) = M_a μ(M_o o), V′(o) = V(M_o o) and σ′ = |M_a| σ, up to float rounding.
/// </summary>
/// <remarks>
/// DESIGN: the mirror is folded into the parameters instead of wrapping the network: the normalizer statistics
/// and first-layer weight rows are permuted (and signed) with M_o, the output layer's columns, bias and log σ
/// with M_a. The image is therefore one more network in the same file format, ONNX export and Runtime
/// contract, and costs nothing at run time. It works because normalisation, clipping and tanh commute with a
/// sign flip and a permutation. Blinded inputs (<see cref="ActorCritic.BlindPolicyTo"/>) are carried over to
/// their images. Stateless.
/// </remarks>
public static class PolicyMirror
{
    public static GaussianActorCritic Mirror(GaussianActorCritic policy,
        ReadOnlySpan<int> observationSource, ReadOnlySpan<float> observationSign,
        ReadOnlySpan<int> actionSource, ReadOnlySpan<float> actionSign)
    {
        ArgumentNullException.ThrowIfNull(policy);
        CheckInvolution(observationSource, observationSign, policy.ObservationSize, "observation");
        CheckInvolution(actionSource, actionSign, policy.ActionSize, "action");

        var image = new GaussianActorCritic(policy.Options);
        var from = policy.Parameters;
        var to = image.Parameters;
        from.CopyTo(to);

        // Normaliser: the mirrored input's element i is sign_i·o[src_i], so the image normalises o[src_i] with
        // mean sign_i·mean_i and the same spread.
        var n = policy.ObservationSize;
        var mean = new double[n];
        var m2 = new double[n];
        for (var i = 0; i < n; i++)
        {
            mean[observationSource[i]] = observationSign[i] * policy.Normalizer.RunningMean[i];
            m2[observationSource[i]] = policy.Normalizer.RunningM2[i];
        }
        image.Normalizer.SetStatistics(policy.Normalizer.Count, mean, m2);
        image.Normalizer.Frozen = policy.Normalizer.Frozen;

        // First layers (policy and value): weight row of input i moves to input src_i, signed.
        foreach (var (source, target) in new[] { (policy.PolicyNetwork, image.PolicyNetwork), (policy.ValueNetwork, image.ValueNetwork) })
        {
            var layer = source.Layers[0];
            var width = layer.OutputSize;
            var w = from.Slice(layer.WeightOffset, n * width);
            var wImage = to.Slice(target.Layers[0].WeightOffset, n * width);
            for (var i = 0; i < n; i++)
            {
                var row = w.Slice(i * width, width);
                var dst = wImage.Slice(observationSource[i] * width, width);
                for (var o = 0; o < width; o++) dst[o] = observationSign[i] * row[o];
            }
        }

        // Output layer of the policy and log σ: action j of the image is sign_j·(action src_j of the original).
        var output = policy.PolicyNetwork.Layers[^1];
        var a = policy.ActionSize;
        var hidden = output.InputSize;
        for (var j = 0; j < a; j++)
        {
            var s = actionSign[j];
            var src = actionSource[j];
            for (var h = 0; h < hidden; h++)
                to[output.WeightOffset + h * a + j] = s * from[output.WeightOffset + h * a + src];
            to[output.BiasOffset + j] = s * from[output.BiasOffset + src];
            to[image.LogStdOffset + j] = from[policy.LogStdOffset + src];
        }

        foreach (var i in policy.BlindInputs) image.BlindPolicyTo(observationSource[i], 1);
        return image;
    }

    private static void CheckInvolution(ReadOnlySpan<int> source, ReadOnlySpan<float> sign, int size, string what)
    {
        if (source.Length != size || sign.Length != size)
            throw new ArgumentException($"{what} mirror has {source.Length} sources and {sign.Length} signs; the policy has {size} {what} elements");
        for (var i = 0; i < size; i++)
        {
            var j = source[i];
            if (j < 0 || j >= size || source[j] != i || sign[i] is not (1f or -1f) || sign[j] != sign[i])
                throw new ArgumentException($"{what} mirror is not a signed involution at element {i} (source {j}, sign {sign[i]})");
        }
    }
}

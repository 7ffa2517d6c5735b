using Mlsh.NeuralNets.Policies;
using Mlsh.Onnx.Graph;
using NnActivation = Mlsh.NeuralNets.Activation;
using SpecLayer = Mlsh.Onnx.Graph.DenseLayer;

namespace Mlsh.Onnx.Export;

/// <summary>
/// Snapshots the trainer's actor-critics (Mlsh.NeuralNets) as exportable <see cref="PolicyGraphSpec"/>s:
/// the frozen float32 normalizer (Mean, Std = √(var + ε), Clip) and the policy network's layers, with
/// NeuralNets' [in × out] weights transposed to the spec's [out × in]. The value network and log σ
/// are not exported (deployment acts deterministically). Everything is copied, so training may go on
/// after the snapshot. Stateless and thread-safe with respect to different networks.
/// </summary>
public static class ActorCriticSpecs
{
    /// <summary>
    /// A sub-policy's deployable graph: <c>target = defaultPose + actionScale * clip(μ(s), ±ActionClip)</c>,
    /// i.e. the mean action clipped as the environment receives it (<see cref="GaussianActorCritic.ClipActions"/>)
    /// and mapped to joint position targets with the robot's action scale and default pose (the
    /// manifest's <c>action.scale</c> / <c>action.default_pose</c>).
    /// </summary>
    public static PolicyGraphSpec FromSubPolicy(GaussianActorCritic subPolicy, IReadOnlyList<float> actionScale, IReadOnlyList<float> defaultPose)
    {
        ArgumentNullException.ThrowIfNull(subPolicy);
        ArgumentNullException.ThrowIfNull(actionScale);
        ArgumentNullException.ThrowIfNull(defaultPose);
        if (actionScale.Count != subPolicy.ActionSize || defaultPose.Count != subPolicy.ActionSize)
            throw new ArgumentException($"action scale/default pose: expected {subPolicy.ActionSize} values each (the sub-policy's action size), got {actionScale.Count}/{defaultPose.Count}");
        return Snapshot(subPolicy) with
        {
            OutputClip = subPolicy.ActionClip,
            OutputScale = [.. actionScale],
            OutputOffset = [.. defaultPose],
        };
    }

    /// <summary>The master's graph: observation → raw logits over the sub-policies (no scaling).</summary>
    public static PolicyGraphSpec FromMaster(CategoricalActorCritic master)
    {
        ArgumentNullException.ThrowIfNull(master);
        return Snapshot(master);
    }

    private static PolicyGraphSpec Snapshot(ActorCritic ac)
    {
        var n = ac.Normalizer;
        var layers = ac.PolicyNetwork.Layers.Select(ToSpec).ToArray();
        var spec = new PolicyGraphSpec(ac.ObservationSize, n.Mean.ToArray(), n.Std.ToArray(), n.Clip, layers);
        spec.Validate(ac.Kind.ToString());
        return spec;
    }

    private static SpecLayer ToSpec(Mlsh.NeuralNets.Layers.DenseLayer layer)
    {
        int inSize = layer.InputSize, outSize = layer.OutputSize;
        var src = layer.Weights;
        var w = new float[outSize * inSize];
        for (var i = 0; i < inSize; i++)
            for (var o = 0; o < outSize; o++)
                w[o * inSize + i] = src[i * outSize + o];
        var activation = layer.Activation switch
        {
            NnActivation.Identity => Activation.None,
            NnActivation.Tanh => Activation.Tanh,
            var other => throw new NotSupportedException($"activation {other} has no ONNX mapping in the exporter (supported: Identity, Tanh)"),
        };
        return new SpecLayer(inSize, outSize, w, layer.Bias.ToArray(), activation);
    }
}

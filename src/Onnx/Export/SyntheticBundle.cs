using Mlsh.Onnx.Graph;
using Mlsh.Onnx.Manifest;

namespace Mlsh.Onnx.Export;

/// <summary>
/// A hierarchy with freshly initialized (untrained) weights and a plausible normalizer, of any size:
/// what `./mlsh bench infer` times and what the export/load tests feed through the real exporter
/// and ONNX Runtime. Weights follow the usual PPO init scale (uniform ±1/sqrt(fan_in)), so
/// activations and logits sit in the range a trained policy produces. Deterministic per seed.
/// </summary>
public static class SyntheticBundle
{
    /// <param name="observationSize">Observation width (MLSH ant: about 40).</param>
    /// <param name="hidden">Hidden layer widths, tanh (MLSH default: 64, 64).</param>
    /// <param name="jointCount">Actions = actuated joints (ant: 8).</param>
    /// <param name="subPolicyCount">K sub-policies = master logits (MLSH maze: 4).</param>
    public static (PolicyGraphSpec[] SubPolicies, PolicyGraphSpec Master, ExportContract Contract) Create(
        int observationSize = 40, int[]? hidden = null, int jointCount = 8, int subPolicyCount = 4, int seed = 1)
    {
        hidden ??= [64, 64];
        var rng = new Random(seed);
        var joints = Enumerable.Range(0, jointCount).Select(i => $"joint_{i}").ToList();
        var scale = Enumerable.Range(0, jointCount).Select(_ => 0.25f + 0.5f * rng.NextSingle()).ToList();
        var pose = Enumerable.Range(0, jointCount).Select(_ => rng.NextSingle() - 0.5f).ToList();

        var contract = new ExportContract
        {
            Name = "synthetic",
            Robot = new RobotContract { Name = "synthetic_quadruped", JointNames = joints },
            Observation = new ObservationContract
            {
                Size = observationSize,
                Fields = SplitObservation(observationSize, jointCount),
            },
            Action = new ActionContract
            {
                Size = jointCount,
                Scale = scale,
                DefaultPose = pose,
                Kp = Enumerable.Repeat(40f, jointCount).ToList(),
                Kd = Enumerable.Repeat(1f, jointCount).ToList(),
                TorqueLimit = Enumerable.Repeat(30f, jointCount).ToList(),
            },
            Timing = new TimingContract { ControlRateHz = 50, PolicyDecimation = 1, MasterPeriod = 10 },
            Provenance = new Provenance { Config = "synthetic", Iterations = 0, EvaluationSuccess = 0, EvaluationEpisodes = 0 },
        };

        var subs = new PolicyGraphSpec[subPolicyCount];
        for (var k = 0; k < subPolicyCount; k++)
            subs[k] = Random(rng, observationSize, hidden, jointCount) with { OutputScale = [.. scale], OutputOffset = [.. pose] };
        var master = Random(rng, observationSize, hidden, subPolicyCount);
        return (subs, master, contract);
    }

    /// <summary>One random spec (no output scaling).</summary>
    public static PolicyGraphSpec Random(Random rng, int observationSize, int[] hidden, int outputSize)
    {
        var layers = new List<DenseLayer>();
        var fanIn = observationSize;
        foreach (var width in hidden.Append(outputSize))
        {
            var bound = 1f / MathF.Sqrt(fanIn);
            var w = new float[width * fanIn];
            for (var i = 0; i < w.Length; i++) w[i] = (2f * rng.NextSingle() - 1f) * bound;
            var b = new float[width];
            for (var i = 0; i < b.Length; i++) b[i] = (2f * rng.NextSingle() - 1f) * bound;
            layers.Add(new DenseLayer(fanIn, width, w, b, layers.Count < hidden.Length ? Activation.Tanh : Activation.None));
            fanIn = width;
        }
        var mean = new float[observationSize];
        var std = new float[observationSize];
        for (var i = 0; i < observationSize; i++)
        {
            mean[i] = 2f * rng.NextSingle() - 1f;
            std[i] = 0.1f + 2f * rng.NextSingle();
        }
        return new PolicyGraphSpec(observationSize, mean, std, ObservationClip: 5f, layers);
    }

    private static List<ObservationField> SplitObservation(int size, int joints)
    {
        // Joint positions and velocities first (as the quadruped env lays them out), the rest is task state.
        var fields = new List<ObservationField>();
        var left = size;
        void Add(string name, int n, string units) { if (n > 0) { fields.Add(new ObservationField { Name = name, Size = n, Units = units, Scale = 1f }); left -= n; } }
        Add("joint_pos", Math.Min(joints, left), "rad");
        Add("joint_vel", Math.Min(joints, left), "rad/s");
        Add("task", left, "1");
        return fields;
    }
}

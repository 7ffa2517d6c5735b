using Mlsh.Onnx.Export;
using Mlsh.Onnx.Graph;
using Mlsh.Onnx.Manifest;
using Mlsh.Runtime.Configuration;

namespace Mlsh.Runtime.Tests.TestSupport;

/// <summary>
/// A random-weight MLSH hierarchy for the shipped quadruped (8 joints, 500 Hz control, sub-policy every 10 cycles,
/// master every 50), exported by the real exporter into a private temp directory and deleted on Dispose.
/// </summary>
public sealed class QuadrupedBundle : IDisposable
{
    public static readonly string[] Joints = ["fl_hip", "fl_knee", "fr_hip", "fr_knee", "bl_hip", "bl_knee", "br_hip", "br_knee"];
    public static readonly float[] DefaultPose = [0, 1, 0, 1, 0, 1, 0, 1];
    public const int SubPolicyCount = 3;
    public const int Decimation = 10;
    public const int MasterPeriod = 50;
    public const double RateHz = 500;

    public string Dir { get; }
    public PolicyGraphSpec[] SubPolicies { get; }
    public PolicyGraphSpec Master { get; }
    public ExportContract Contract { get; }

    /// <param name="seed">Weight seed.</param>
    /// <param name="infiniteSubPolicy">Index of a sub-policy whose last layer overflows float (outputs +Inf), or -1.</param>
    /// <param name="rateHz">timing.control_rate_hz written into the manifest.</param>
    public QuadrupedBundle(int seed = 1, int infiniteSubPolicy = -1, double rateHz = RateHz, string? dir = null)
    {
        Dir = dir ?? Directory.CreateTempSubdirectory("mlsh-runtime-bundle-").FullName;
        var layout = DeploymentContract.LayoutFor(Joints.Length);
        Contract = ContractFor(layout.Size, rateHz);
        var rng = new Random(seed);
        int[] hidden = [16, 16];
        SubPolicies = new PolicyGraphSpec[SubPolicyCount];
        for (var k = 0; k < SubPolicyCount; k++)
        {
            var spec = SyntheticBundle.Random(rng, layout.Size, hidden, Joints.Length);
            if (k == infiniteSubPolicy) spec = Overflowing(spec);
            SubPolicies[k] = spec with { OutputScale = [.. Contract.Action.Scale], OutputOffset = [.. Contract.Action.DefaultPose] };
        }
        Master = SyntheticBundle.Random(rng, layout.Size, hidden, SubPolicyCount);
        HierarchyExporter.Export(SubPolicies, Master, Contract, Dir);
    }

    public static ExportContract ContractFor(int observationSize, double rateHz) => new()
    {
        Name = "quadruped-test",
        Robot = new RobotContract { Name = "quadruped", JointNames = [.. Joints] },
        Observation = new ObservationContract
        {
            Size = observationSize,
            Fields = DeploymentContract.ObservationFieldsFor(DeploymentContract.LayoutFor(Joints.Length)),
        },
        Action = new ActionContract
        {
            Size = Joints.Length,
            Scale = Enumerable.Repeat(0.6f, Joints.Length).ToList(),
            DefaultPose = [.. DefaultPose],
            Kp = Enumerable.Repeat(60f, Joints.Length).ToList(),
            Kd = Enumerable.Repeat(1.5f, Joints.Length).ToList(),
            TorqueLimit = Enumerable.Repeat(20f, Joints.Length).ToList(),
        },
        Timing = new TimingContract { ControlRateHz = rateHz, PolicyDecimation = Decimation, MasterPeriod = MasterPeriod },
        Provenance = new Provenance { Config = "test", Iterations = 0, EvaluationSuccess = 0, EvaluationEpisodes = 0 },
    };

    /// <summary>Hidden activations forced to tanh(1) and output weights at float.MaxValue: the sum overflows to +Inf.</summary>
    private static PolicyGraphSpec Overflowing(PolicyGraphSpec spec)
    {
        var layers = spec.Layers.ToList();
        var last = layers[^1];
        var prev = layers[^2];
        layers[^2] = prev with { Weights = new float[prev.Weights.Length], Bias = Enumerable.Repeat(1f, prev.OutputSize).ToArray() };
        layers[^1] = last with { Weights = Enumerable.Repeat(float.MaxValue, last.Weights.Length).ToArray() };
        return spec with { Layers = layers };
    }

    /// <summary>A master spec file exported alone (for hot-swap tests): writes master.onnx of a new bundle with the
    /// same contract into <paramref name="dir"/> and returns its path.</summary>
    public string ExportAnotherMaster(string dir, int seed)
    {
        var rng = new Random(seed);
        var master = SyntheticBundle.Random(rng, Master.ObservationSize, [16, 16], SubPolicyCount);
        HierarchyExporter.Export(SubPolicies, master, Contract, dir);
        return Path.Combine(dir, HierarchyExporter.MasterFile);
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}

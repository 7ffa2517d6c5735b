using Mlsh.Core;
using Mlsh.Core.Configuration;
using Mlsh.Environments.Mazes;
using Mlsh.Environments.Robots;
using Mlsh.Environments.Tasks;
using Mlsh.MuJoCo;
using Mlsh.NeuralNets.Policies;
using Mlsh.Onnx.Manifest;
using Mlsh.OnnxRuntime.Policies;
using Mlsh.Trainer.Export;

namespace Mlsh.Trainer.Tests.Export;

public class RobotExportContractTests
{
    private static string Layout(string name) => Path.Combine(MlshPaths.Layouts, "train", name + ".yaml");

    [Fact]
    public void Timing_ControlCycleIsThePhysicsStep_MasterPeriodIsMacroStepsTimesDecimation()
    {
        var t = RobotExportContract.Timing(RobotConfig.LoadShipped("quadruped"), macroSteps: 50);

        t.ControlRateHz.Should().Be(500, "the Runtime runs the PD law every control cycle, as training does every physics step of 0.002 s");
        t.PolicyDecimation.Should().Be(10);
        t.MasterPeriod.Should().Be(500, "50 agent steps per macro step × 10 control cycles per agent step");
    }

    [Fact]
    public void For_VelocityControlledPointMass_DescribesJointVelocityTargets_WithoutJointObservations()
    {
        using var family = MazeTaskFamily.Create("pointmass", [Layout("corridor-east")]);
        var c = RobotExportContract.For(family, macroSteps: 20, "pointmass", new Provenance { Config = "test" });

        c.Action.Kind.Should().Be(ActionContract.JointVelocityTargets);
        c.Action.Kp.Should().Equal(0f, 0f);
        c.Action.Kd.Should().Equal(20f, 20f);
        c.Robot.JointNames.Should().Equal("base_x", "base_y");
        c.Observation.Fields.Select(f => f.Name).Should().NotContain("joint_position_offset", "observe_joints: false in pointmass.yaml");
        c.Observation.Size.Should().Be(15);
        c.Timing.ControlRateHz.Should().Be(100, "physics_dt 0.01 s");
        c.Timing.MasterPeriod.Should().Be(100, "20 agent steps × policy_decimation 5");
    }

    [Fact]
    public void CheckActionMapping_RefusesVelocityControl_WhenKdIsZero()
    {
        var shipped = Path.Combine(MlshPaths.Models, "robots", "pointmass.yaml");
        var noKd = File.ReadAllText(shipped).Replace("{ name: base_y, default_position: 0.0, kp: 0, kd: 20,", "{ name: base_y, default_position: 0.0, kp: 0, kd: 0,");
        noKd.Should().Contain("kd: 0,", "the test edits the shipped config's base_y line");
        var robot = RobotConfig.Parse(noKd, Path.Combine(MlshPaths.Models, "robots", "pointmass-nokd.yaml"));
        using var family = MazeTaskFamily.Create(robot, [MazeLayout.Load(Layout("corridor-east"))]);

        var act = () => RobotExportContract.CheckActionMapping(family);
        act.Should().Throw<ConfigException>().WithMessage("*joints[1] (base_y): kd 0 must be > 0 for velocity targets to be tracked*");
    }

    /// <summary>
    /// A sub-policy whose output layer is scaled so that |mean| &gt; 1 on a good share of components (PPO initializes
    /// it with gain 0.01, so means start near 0, and the clip would never matter), its normalizer fitted on real
    /// observations of <paramref name="family"/>: random actions for 60 agent steps on two instances.
    /// </summary>
    private static (GaussianActorCritic Sub, CategoricalActorCritic Master, List<float[]> Observations) SaturatingSubPolicyOnRealObservations(
        MazeTaskFamily family, ulong subSeed, ulong masterSeed, int actionSeed, ulong resetSeed)
    {
        using var env = family.CreateVectorEnv(2);
        int obsSize = env.ObservationSize, joints = family.Robot.ActionSize;
        var sub = new GaussianActorCritic(new ActorCriticOptions { ObservationSize = obsSize, ActionSize = joints, HiddenSizes = [16, 16], Seed = subSeed });
        var master = new CategoricalActorCritic(new ActorCriticOptions { ObservationSize = obsSize, ActionSize = 1, HiddenSizes = [8], Seed = masterSeed });
        var output = sub.PolicyNetwork.Layers[^1];
        foreach (ref var w in sub.Parameters.Slice(output.WeightOffset, output.InputSize * output.OutputSize)) w *= 200f;

        var rng = new Random(actionSeed);
        var observations = new List<float[]>();
        env.Reset(resetSeed);
        for (var step = 0; step < 60; step++)
        {
            for (var i = 0; i < env.Actions.Length; i++) env.Actions[i] = 2f * rng.NextSingle() - 1f;
            env.Step();
            for (var e = 0; e < env.Count; e++) observations.Add(env.Observations.Slice(e * obsSize, obsSize).ToArray());
        }
        sub.Normalizer.Update(observations.SelectMany(o => o).ToArray(), observations.Count);
        return (sub, master, observations);
    }

    /// <summary>The point mass's environment maps a clipped action to qd* = scale · a (no offset, no range clamp): the
    /// exported graph in ONNX Runtime must output exactly that, on real point-mass observations with saturated actions.</summary>
    [Fact]
    public void ExportedPointMassSubPolicyTargets_EqualEnvironmentVelocityMapping_OnTheSameObservations()
    {
        using var family = MazeTaskFamily.Create("pointmass", [Layout("corridor-east")]);
        var robot = family.Robot;
        var (sub, master, observations) = SaturatingSubPolicyOnRealObservations(family, subSeed: 7, masterSeed: 8, actionSeed: 3, resetSeed: 4);
        var unlimited = Enumerable.Repeat(double.PositiveInfinity, robot.ActionSize).ToArray();

        var r = ExportedVersusEnvironmentTargets(family, sub, master, observations, macroSteps: 20,
            lo: unlimited.Select(v => -v).ToArray(), hi: unlimited, velocityTargets: true);

        r.Manifest.Action.Kind.Should().Be(ActionContract.JointVelocityTargets);
        r.MaxDiff.Should().BeLessThanOrEqualTo(1e-5, "exported velocity targets must equal the environment's");
        r.Saturated.Should().BeGreaterThan(0, "some actions must hit the ±1 clip");
        r.Inside.Should().BeGreaterThan(0, "some actions must stay inside ±1");
    }

    [Fact]
    public void CheckActionMapping_RefusesWhenTargetsCanLeaveTheJointRange()
    {
        var shipped = Path.Combine(MlshPaths.Models, "robots", "quadruped.yaml");
        // Both front knees: a mirror pair must keep equal gains and scales.
        var wide = File.ReadAllText(shipped)
            .Replace("{ name: fl_knee, default_position: 1.0, kp: 60, kd: 1.5, torque_limit: 20, action_scale: 0.6,",
                "{ name: fl_knee, default_position: 1.0, kp: 60, kd: 1.5, torque_limit: 20, action_scale: 0.8,")
            .Replace("{ name: fr_knee, default_position: 1.0, kp: 60, kd: 1.5, torque_limit: 20, action_scale: 0.6,",
                "{ name: fr_knee, default_position: 1.0, kp: 60, kd: 1.5, torque_limit: 20, action_scale: 0.8,");
        wide.Split("action_scale: 0.8").Should().HaveCount(3, "the test edits the shipped config's fl_knee and fr_knee lines");
        // Parsed as if it sat beside the shipped config, so its mjcf: quadruped.xml resolves.
        var robot = RobotConfig.Parse(wide, Path.Combine(MlshPaths.Models, "robots", "quadruped-wide.yaml"));
        using var family = MazeTaskFamily.Create(robot, [MazeLayout.Load(Layout("corridor-east"))]);

        var act = () => RobotExportContract.CheckActionMapping(family);
        act.Should().Throw<ConfigException>().WithMessage("*joints[1] (fl_knee): targets default_position ± action_scale = [0.2, 1.8] rad leave the MJCF joint range [0.2, 1.6]*");
    }

    [Fact]
    public void CheckActionMapping_AcceptsShippedQuadruped_WhoseTargetsStayInsideEveryJointRange()
    {
        using var family = MazeTaskFamily.Create("quadruped", [Layout("corridor-east")]);
        var act = () => RobotExportContract.CheckActionMapping(family);
        act.Should().NotThrow();
    }

    /// <summary>
    /// The environment's action mapping (clip to ±1, then <see cref="JointPdLaw.ActionsToTargets"/> with the
    /// MJCF joint ranges, exactly as MazeVectorEnv.Step calls it) against the exported sub-policy in ONNX Runtime,
    /// on observations of the real quadruped environment, with outputs driven into saturation so the clip binds.
    /// </summary>
    [Fact]
    public void ExportedSubPolicyTargets_EqualEnvironmentActionMapping_OnTheSameObservations()
    {
        using var family = MazeTaskFamily.Create("quadruped", [Layout("corridor-east")]);
        var robot = family.Robot;
        var (sub, master, observations) = SaturatingSubPolicyOnRealObservations(family, subSeed: 5, masterSeed: 6, actionSeed: 2, resetSeed: 9);
        var model = family.Tasks[0].Model;
        double[] lo = new double[robot.ActionSize], hi = new double[robot.ActionSize];
        for (var j = 0; j < robot.ActionSize; j++)
        {
            model.TryNameToId(MjObjectType.Joint, robot.Joints[j].Name, out var id).Should().BeTrue();
            (lo[j], hi[j]) = model.JntLimited[id] != 0 ? (model.JntRange[2 * id], model.JntRange[2 * id + 1]) : (double.NegativeInfinity, double.PositiveInfinity);
        }

        var r = ExportedVersusEnvironmentTargets(family, sub, master, observations, macroSteps: 10, lo, hi, velocityTargets: false);

        r.MaxDiff.Should().BeLessThanOrEqualTo(1e-5, "exported joint targets must equal the environment's");
        r.Saturated.Should().BeGreaterThan(0, "some actions must hit the ±1 clip");
        r.Inside.Should().BeGreaterThan(0, "some actions must stay inside ±1");
    }

    /// <summary>
    /// Exports <paramref name="sub"/> (with <paramref name="master"/>) as a bundle, loads it in ONNX Runtime and, on
    /// each observation, compares the bundle's sub-policy output with the environment's mapping of the same action:
    /// the deterministic mean clipped to ±1, then <see cref="JointPdLaw.ActionsToTargets"/> within [lo, hi]
    /// (position targets q*, or velocity targets qd* when <paramref name="velocityTargets"/>). Returns the manifest,
    /// the largest difference and how many action components the clip bound (|mean| &gt; 1) or not.
    /// </summary>
    private static (PolicyManifest Manifest, double MaxDiff, int Saturated, int Inside) ExportedVersusEnvironmentTargets(
        MazeTaskFamily family, GaussianActorCritic sub, CategoricalActorCritic master, List<float[]> observations, int macroSteps,
        double[] lo, double[] hi, bool velocityTargets)
    {
        var robot = family.Robot;
        var joints = robot.ActionSize;
        var outDir = Path.Combine(Directory.CreateTempSubdirectory("mlsh-export-mapping-").FullName, "bundle");
        try
        {
            var manifest = HierarchyExport.FromNetworks([sub], master, family, macroSteps, new Provenance { Config = "test", Iterations = 0 }, outDir);
            using var bundle = PolicyBundle.Load(outDir, new PolicyExpectations
            {
                Robot = robot.Name, JointNames = robot.Joints.Select(j => j.Name).ToArray(), ObservationSize = sub.ObservationSize,
            });
            var defaults = robot.Joints.Select(j => j.DefaultPosition).ToArray();
            var scales = robot.Joints.Select(j => j.ActionScale).ToArray();
            float[] mean = new float[joints], clipped = new float[joints], ort = new float[joints];
            double[] qTarget = new double[joints], qdTarget = new double[joints];
            var environment = velocityTargets ? qdTarget : qTarget;
            int saturated = 0, inside = 0;
            var maxDiff = 0.0;
            foreach (var obs in observations)
            {
                sub.ActDeterministic(obs, 1, mean);
                sub.ClipActions(mean, clipped);
                JointPdLaw.ActionsToTargets(robot.ControlMode, clipped, defaults, scales, lo, hi, qTarget, qdTarget);
                bundle.SubPolicies[0].Act(obs, ort);
                for (var j = 0; j < joints; j++)
                {
                    maxDiff = Math.Max(maxDiff, Math.Abs(ort[j] - environment[j]));
                    if (MathF.Abs(mean[j]) > 1f) saturated++; else inside++;
                }
            }
            return (manifest, maxDiff, saturated, inside);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(outDir)!, recursive: true);
        }
    }

    [Fact]
    public void FromNetworks_RaisesArgumentError_WhenMasterChoicesDoNotMatchSubPolicyCount()
    {
        using var family = MazeTaskFamily.Create("quadruped", [Layout("corridor-east")]);
        var sub = new GaussianActorCritic(new ActorCriticOptions { ObservationSize = 37, ActionSize = 8, HiddenSizes = [8], Seed = 1 });
        var master = new CategoricalActorCritic(new ActorCriticOptions { ObservationSize = 37, ActionSize = 3, HiddenSizes = [8], Seed = 2 });
        var outDir = Path.Combine(Path.GetTempPath(), $"mlsh-never-written-{Guid.NewGuid():N}");

        var act = () => HierarchyExport.FromNetworks([sub, sub], master, family, 10, new Provenance { Config = "test" }, outDir);
        act.Should().Throw<ArgumentException>().WithMessage("master: expected 37 observations → 2 logits (one per sub-policy), got 37 → 3*");
        Directory.Exists(outDir).Should().BeFalse();
    }
}

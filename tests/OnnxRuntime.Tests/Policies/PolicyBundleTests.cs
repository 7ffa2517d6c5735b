using Mlsh.Core.Configuration;
using Mlsh.Onnx.Graph;
using Mlsh.Onnx.Manifest;
using Mlsh.OnnxRuntime.Interop;
using Mlsh.OnnxRuntime.Policies;
using Onnx;

namespace Mlsh.OnnxRuntime.Tests.Policies;

public class PolicyBundleTests
{
    private static PolicyExpectations Expect(TestModels m) => new()
    {
        Robot = m.Contract.Robot.Name,
        JointNames = m.Contract.Robot.JointNames,
        ObservationSize = m.Contract.Observation.Size,
        SubPolicyCount = m.SubPolicies.Length,
        ControlRateHz = m.Contract.Timing.ControlRateHz,
    };

    private static void ResealManifest(TestModels m, string file)
    {
        // Make the manifest agree with a file the test changed on purpose, so the check under test is reached.
        var manifest = ManifestYaml.Load(m.ManifestPath);
        var sha = ModelHash.Sha256Hex(File.ReadAllBytes(m.File(file)));
        foreach (var e in manifest.Models.SubPolicies.Append(manifest.Models.Master))
            if (e.File == file) e.Sha256 = sha;
        ManifestYaml.Write(m.ManifestPath, manifest);
    }

    private static void RewriteModel(TestModels m, string file, Action<ModelProto> change)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(m.File(file)));
        change(model);
        File.WriteAllBytes(m.File(file), Google.Protobuf.MessageExtensions.ToByteArray(model));
        ResealManifest(m, file);
    }

    private static ConfigException Rejects(TestModels m, PolicyExpectations? e = null) =>
        FluentActions.Invoking(() => PolicyBundle.Load(m.Dir, e ?? Expect(m)).Dispose()).Should().Throw<ConfigException>().Which;

    [Fact]
    public void Load_ReturnsMasterAndSubPolicies_ThatMatchTheReferenceForward()
    {
        using var m = new TestModels(subPolicyCount: 3);
        using var bundle = PolicyBundle.Load(m.Dir, Expect(m));

        bundle.SubPolicies.Should().HaveCount(3);
        bundle.Master.SubPolicyCount.Should().Be(3);
        bundle.Manifest.Robot.JointNames.Should().Equal(m.Contract.Robot.JointNames);
        var obs = Enumerable.Range(0, 40).Select(i => MathF.Sin(i)).ToArray();
        var targets = new float[8];
        var expected = new float[8];
        bundle.SubPolicies[1].Act(obs, targets);
        new PolicyForward(m.SubPolicies[1]).Evaluate(obs, expected);
        for (var j = 0; j < 8; j++) targets[j].Should().BeApproximately(expected[j], 1e-5f);

        var logits = new float[3];
        var expectedLogits = new float[3];
        bundle.Master.Logits(obs, logits);
        new PolicyForward(m.Master).Evaluate(obs, expectedLogits);
        for (var j = 0; j < 3; j++) logits[j].Should().BeApproximately(expectedLogits[j], 1e-5f);
        bundle.Master.Select(obs).Should().Be(Array.IndexOf(logits, logits.Max()));
    }

    [Fact]
    public void ActAndLogits_AllocateNothing_AfterWarmUp()
    {
        using var m = new TestModels();
        using var bundle = PolicyBundle.Load(m.Dir, Expect(m));
        var obs = new float[40];
        var targets = new float[8];
        var logits = new float[4];
        for (var i = 0; i < 50; i++) { bundle.SubPolicies[i % 4].Act(obs, targets); bundle.Master.Logits(obs, logits); }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var chosen = 0;
        for (var i = 0; i < 2_000; i++)
        {
            obs[i % 40] = i * 1e-3f;
            if (i % 10 == 0) chosen = bundle.Master.Select(obs);
            bundle.SubPolicies[chosen].Act(obs, targets);
        }
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    [Fact]
    public void Load_Rejects_MissingManifest()
    {
        using var m = new TestModels(observationSize: 10, joints: 2, subPolicyCount: 2, hidden: [4]);
        File.Delete(m.ManifestPath);
        Rejects(m).Message.Should().Be($"{m.ManifestPath}: manifest not found (expected the manifest.yaml written by `mlsh export`)");
    }

    [Fact]
    public void Load_Rejects_OtherRobot()
    {
        using var m = new TestModels(observationSize: 10, joints: 2, subPolicyCount: 2, hidden: [4]);
        Rejects(m, new PolicyExpectations { Robot = "go1", JointNames = m.Contract.Robot.JointNames, ObservationSize = 10 })
            .Message.Should().EndWith("robot.name: expected 'go1' (robot config), got 'synthetic_quadruped'");
    }

    [Fact]
    public void Load_Rejects_JointOrderMismatch_ListingExpectedAndActual()
    {
        using var m = new TestModels(observationSize: 10, joints: 3, subPolicyCount: 2, hidden: [4]);
        var e = new PolicyExpectations { Robot = "synthetic_quadruped", JointNames = ["joint_0", "joint_2", "joint_1"], ObservationSize = 10 };
        Rejects(m, e).Message.Should().EndWith(
            "robot.joint_names: joint order differs from the robot config at index 1: expected [joint_0, joint_2, joint_1], got [joint_0, joint_1, joint_2]");
    }

    [Fact]
    public void Load_Rejects_ObservationSizeMismatch()
    {
        using var m = new TestModels(observationSize: 10, joints: 2, subPolicyCount: 2, hidden: [4]);
        Rejects(m, new PolicyExpectations { Robot = "synthetic_quadruped", JointNames = ["joint_0", "joint_1"], ObservationSize = 12 })
            .Message.Should().EndWith("observation.size: expected 12 (the runtime's observation), got 10");
    }

    [Fact]
    public void Load_Rejects_SubPolicyCountAndControlRateMismatch()
    {
        using var m = new TestModels(observationSize: 10, joints: 2, subPolicyCount: 2, hidden: [4]);
        var e = Expect(m);
        Rejects(m, new PolicyExpectations { Robot = e.Robot, JointNames = e.JointNames, ObservationSize = 10, SubPolicyCount = 4 })
            .Message.Should().EndWith("models.sub_policies: expected 4 sub-policies, got 2");
        Rejects(m, new PolicyExpectations { Robot = e.Robot, JointNames = e.JointNames, ObservationSize = 10, ControlRateHz = 500 })
            .Message.Should().EndWith("timing.control_rate_hz: expected 500 (robot config), got 50");
    }

    [Fact]
    public void Load_Rejects_MissingModelFile()
    {
        using var m = new TestModels(observationSize: 10, joints: 2, subPolicyCount: 2, hidden: [4]);
        File.Delete(m.File("sub_policy_1.onnx"));
        Rejects(m).Message.Should().EndWith($"models.sub_policies[1].file: model file 'sub_policy_1.onnx' not found in {m.Dir}");
    }

    [Fact]
    public void Load_Rejects_Sha256Mismatch_ListingBothHashes()
    {
        using var m = new TestModels(observationSize: 10, joints: 2, subPolicyCount: 2, hidden: [4]);
        var bytes = File.ReadAllBytes(m.File("master.onnx"));
        bytes[^5] ^= 0x01;
        File.WriteAllBytes(m.File("master.onnx"), bytes);

        var e = Rejects(m);
        e.File.Should().Be(m.File("master.onnx"));
        e.Message.Should().Be($"{m.File("master.onnx")}: SHA-256 mismatch: expected {m.Manifest.Models.Master.Sha256} (models.master.sha256 in manifest.yaml), got {ModelHash.Sha256Hex(bytes)}; the file changed after export, re-export the bundle");
    }

    [Fact]
    public void Load_Rejects_TruncatedModel_WithOrtsReason()
    {
        using var m = new TestModels(observationSize: 10, joints: 2, subPolicyCount: 2, hidden: [4]);
        var bytes = File.ReadAllBytes(m.File("sub_policy_0.onnx"));
        File.WriteAllBytes(m.File("sub_policy_0.onnx"), bytes[..(bytes.Length / 2)]);
        ResealManifest(m, "sub_policy_0.onnx");

        var e = Rejects(m);
        e.Message.Should().StartWith($"{m.File("sub_policy_0.onnx")}: not a loadable ONNX model ({bytes.Length / 2} bytes; truncated or not ONNX?): ");
        e.InnerException.Should().BeOfType<OrtException>();
    }

    [Fact]
    public void Load_Rejects_NonOnnxFile()
    {
        using var m = new TestModels(observationSize: 10, joints: 2, subPolicyCount: 2, hidden: [4]);
        File.WriteAllText(m.File("master.onnx"), "weights: [1, 2, 3]\n");
        ResealManifest(m, "master.onnx");
        Rejects(m).Message.Should().Contain("master.onnx: not a loadable ONNX model (19 bytes; truncated or not ONNX?)");
    }

    [Fact]
    public void Load_Rejects_InputNameOtherThanManifest_ListingExpectedAndActual()
    {
        using var m = new TestModels(observationSize: 10, joints: 2, subPolicyCount: 2, hidden: [4]);
        var manifest = ManifestYaml.Load(m.ManifestPath);
        manifest.Models.SubPolicies[0].Input = "obs";
        ManifestYaml.Write(m.ManifestPath, manifest);

        Rejects(m).Message.Should().Be($"{m.File("sub_policy_0.onnx")}: inputs: expected [obs: Float [batch, 10]] (manifest.yaml), got [observation: Float [batch, 10]]");
    }

    [Fact]
    public void Load_Rejects_ModelWhoseOutputWidthDiffersFromManifest()
    {
        using var m = new TestModels(observationSize: 10, joints: 2, subPolicyCount: 2, hidden: [4]);
        using var other = new TestModels(observationSize: 10, joints: 2, subPolicyCount: 3, hidden: [4]);
        File.Copy(other.File("master.onnx"), m.File("master.onnx"), overwrite: true);
        ResealManifest(m, "master.onnx");

        Rejects(m).Message.Should().Be($"{m.File("master.onnx")}: outputs: expected [logits: Float [batch, 2]] (manifest.yaml), got [logits: Float [batch, 3]]");
    }

    [Fact]
    public void Load_Rejects_MissingMetadataKey()
    {
        using var m = new TestModels(observationSize: 10, joints: 2, subPolicyCount: 2, hidden: [4]);
        RewriteModel(m, "sub_policy_1.onnx", model => model.MetadataProps.Remove(model.MetadataProps.Single(p => p.Key == PolicyMetadata.Timing)));

        Rejects(m).Message.Should().Be($"{m.File("sub_policy_1.onnx")}: metadata_props: keys differ from the Mlsh contract: missing [mlsh.timing], unexpected []; expected exactly [{string.Join(", ", PolicyMetadata.Keys)}]");
    }

    [Fact]
    public void Load_Rejects_ExtraMetadataKey()
    {
        using var m = new TestModels(observationSize: 10, joints: 2, subPolicyCount: 2, hidden: [4]);
        RewriteModel(m, "master.onnx", model => model.MetadataProps.Add(new StringStringEntryProto { Key = "mlsh.temperature", Value = "2" }));

        Rejects(m).Message.Should().Contain("metadata_props: keys differ from the Mlsh contract: missing [], unexpected [mlsh.temperature]");
    }

    [Fact]
    public void Load_Rejects_ModelFromAnotherBundle_ByMetadataValue()
    {
        using var m = new TestModels(observationSize: 10, joints: 2, subPolicyCount: 2, hidden: [4], seed: 1);
        RewriteModel(m, "sub_policy_0.onnx", model => model.MetadataProps.Single(p => p.Key == PolicyMetadata.JointNames).Value = "joint_1,joint_0");

        Rejects(m).Message.Should().Be($"{m.File("sub_policy_0.onnx")}: metadata_props 'mlsh.joint_names': expected 'joint_0,joint_1' (from manifest.yaml), got 'joint_1,joint_0'");
    }

    [Fact]
    public void Load_Rejects_SubPolicyFileSwappedWithAnother()
    {
        // Same widths, valid hashes, but sub_policy_0.onnx holds sub-policy 1: caught by mlsh.policy.
        using var m = new TestModels(observationSize: 10, joints: 2, subPolicyCount: 2, hidden: [4]);
        File.Copy(m.File("sub_policy_1.onnx"), m.File("sub_policy_0.onnx"), overwrite: true);
        ResealManifest(m, "sub_policy_0.onnx");

        Rejects(m).Message.Should().EndWith("metadata_props 'mlsh.policy': expected 'sub_policy_0' (from manifest.yaml), got 'sub_policy_1'");
    }

    [Fact]
    public void Load_ReleasesAlreadyLoadedSessions_WhenALaterModelIsRejected()
    {
        using var m = new TestModels(observationSize: 10, joints: 2, subPolicyCount: 2, hidden: [4]);
        using (PolicyBundle.Load(m.Dir, Expect(m))) { } // process-wide env/memory info exist from here on
        var baseline = OrtHandle.LiveCount;
        File.WriteAllText(m.File("master.onnx"), "not onnx");
        ResealManifest(m, "master.onnx");

        Rejects(m);

        OrtHandle.LiveCount.Should().Be(baseline);
    }
}

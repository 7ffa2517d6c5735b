using Mlsh.NeuralNets.Policies;
using Mlsh.NeuralNets.Serialization;

namespace Mlsh.NeuralNets.Tests.Serialization;

public sealed class PolicyFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-policyfile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static GaussianActorCritic Trained()
    {
        var p = new GaussianActorCritic(new ActorCriticOptions { ObservationSize = 5, ActionSize = 2, HiddenSizes = [8, 7], Seed = 3, InitialLogStd = -0.5f });
        p.Normalizer.Update(GradientCheck.RandomArray(20 * 5, 4, 3f), 20);
        p.Normalizer.Frozen = true;
        return p;
    }

    [Fact]
    public void SaveThenLoad_RoundTripsShapesParametersAndNormalizer_BitExactly()
    {
        var original = Trained();
        var path = Path.Combine(_dir, "sub0.policy");
        PolicyFile.Save(original, path);
        var loaded = PolicyFile.Load<GaussianActorCritic>(path);
        loaded.Parameters.ToArray().Should().Equal(original.Parameters.ToArray());
        loaded.Options.HiddenSizes.Should().Equal(8, 7);
        loaded.Normalizer.Count.Should().Be(20);
        loaded.Normalizer.RunningMean.ToArray().Should().Equal(original.Normalizer.RunningMean.ToArray());
        loaded.Normalizer.RunningM2.ToArray().Should().Equal(original.Normalizer.RunningM2.ToArray());
        loaded.Normalizer.Frozen.Should().BeTrue();
        var obs = GradientCheck.RandomArray(5, 9);
        float[] a = new float[2], b = new float[2];
        original.ActDeterministic(obs, 1, a);
        loaded.ActDeterministic(obs, 1, b);
        b.Should().Equal(a);
    }

    [Fact]
    public void Load_ReturnsACategoricalPolicy_ForAMasterFile()
    {
        var master = new CategoricalActorCritic(new ActorCriticOptions { ObservationSize = 3, ActionSize = 4, Seed = 1 });
        var path = Path.Combine(_dir, "master.policy");
        PolicyFile.Save(master, path);
        PolicyFile.Load(path).Should().BeOfType<CategoricalActorCritic>().Which.ActionSize.Should().Be(4);
    }

    [Fact]
    public void Load_OfAMasterAsAGaussian_NamesBothKinds()
    {
        var path = Path.Combine(_dir, "master.policy");
        PolicyFile.Save(new CategoricalActorCritic(new ActorCriticOptions { ObservationSize = 3, ActionSize = 4 }), path);
        var act = () => PolicyFile.Load<GaussianActorCritic>(path);
        act.Should().Throw<PolicyFileException>().WithMessage($"*{path}*Categorical*expected GaussianActorCritic*");
    }

    [Fact]
    public void Load_TruncatedFile_SaysTruncatedWithExpectedAndActualLengths()
    {
        var path = Path.Combine(_dir, "cut.policy");
        var bytes = PolicyFile.ToBytes(Trained());
        File.WriteAllBytes(path, bytes[..^40]);
        var act = () => PolicyFile.Load(path);
        act.Should().Throw<PolicyFileException>().WithMessage($"policy file '{path}': truncated: expected {bytes.Length} bytes, found {bytes.Length - 40}");
    }

    [Fact]
    public void Load_FileShorterThanTheHeader_SaysTruncated()
    {
        var path = Path.Combine(_dir, "tiny.policy");
        File.WriteAllBytes(path, [0x4D, 0x4C]);
        var act = () => PolicyFile.Load(path);
        act.Should().Throw<PolicyFileException>().WithMessage("*truncated: 2 bytes*header*");
    }

    [Fact]
    public void Load_CorruptedByte_SaysChecksumMismatch()
    {
        var path = Path.Combine(_dir, "bad.policy");
        var bytes = PolicyFile.ToBytes(Trained());
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        var act = () => PolicyFile.Load(path);
        act.Should().Throw<PolicyFileException>().WithMessage("*checksum mismatch*corrupted*");
    }

    [Fact]
    public void Load_OtherFormat_SaysBadMagic()
    {
        var path = Path.Combine(_dir, "model.onnx");
        File.WriteAllBytes(path, new byte[64]);
        var act = () => PolicyFile.Load(path);
        act.Should().Throw<PolicyFileException>().WithMessage("*not a Mlsh policy file*");
    }

    [Fact]
    public void Load_FutureVersion_NamesBothVersions()
    {
        var path = Path.Combine(_dir, "v9.policy");
        var bytes = PolicyFile.ToBytes(Trained());
        bytes[8] = 9;
        File.WriteAllBytes(path, bytes);
        var act = () => PolicyFile.Load(path);
        act.Should().Throw<PolicyFileException>().WithMessage("*version 9 is not supported (this build reads version 1)*");
    }

    [Fact]
    public void Load_TrailingBytes_AreRejected()
    {
        var path = Path.Combine(_dir, "long.policy");
        File.WriteAllBytes(path, [.. PolicyFile.ToBytes(Trained()), 1, 2, 3]);
        var act = () => PolicyFile.Load(path);
        act.Should().Throw<PolicyFileException>().WithMessage("*3 unexpected trailing bytes*");
    }

    [Fact]
    public void Load_MissingFile_NamesTheFile()
    {
        var path = Path.Combine(_dir, "absent.policy");
        var act = () => PolicyFile.Load(path);
        act.Should().Throw<PolicyFileException>().WithMessage($"policy file '{path}': cannot be read*");
    }

    [Fact]
    public void Save_LeavesNoTemporaryFilesBehind()
    {
        var path = Path.Combine(_dir, "p.policy");
        PolicyFile.Save(Trained(), path);
        PolicyFile.Save(Trained(), path);
        Directory.GetFiles(_dir).Should().Equal(path);
    }
}

using Mlsh.Core.Configuration;
using Mlsh.Trainer.Export;

namespace Mlsh.Trainer.Tests.Export;

public sealed class BundleDirectoryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mlsh-bundle-dir-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Bundle(string name, string marker)
    {
        var dir = Path.Combine(_root, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "manifest.yaml"), marker);
        File.WriteAllText(Path.Combine(dir, "master.onnx"), marker);
        return dir;
    }

    [Fact]
    public void Replace_LeavesPreviousBundleIntactAndNoStagingDirectory_WhenWritingFails()
    {
        var target = Bundle("quadruped", "old");

        var act = () => BundleDirectory.Replace<int>(target, staging =>
        {
            File.WriteAllText(Path.Combine(staging, "sub_policy_0.onnx"), "half");
            throw new IOException("disk full");
        });

        act.Should().Throw<IOException>().WithMessage("disk full");
        Directory.GetFiles(target).Select(Path.GetFileName).Should().BeEquivalentTo(["manifest.yaml", "master.onnx"]);
        File.ReadAllText(Path.Combine(target, "manifest.yaml")).Should().Be("old");
        Directory.GetFileSystemEntries(_root).Should().Equal([target], "the staging directory is removed");
    }

    [Fact]
    public void Replace_LeavesPreviousBundleIntact_WhenTheStagedManifestDoesNotLoad()
    {
        var target = Bundle("quadruped", "old");

        var act = () => BundleDirectory.Replace(target, staging =>
        {
            File.WriteAllText(Path.Combine(staging, "manifest.yaml"), "name: [unterminated");
            return 0;
        });

        act.Should().Throw<ConfigException>();
        File.ReadAllText(Path.Combine(target, "manifest.yaml")).Should().Be("old");
        Directory.GetFileSystemEntries(_root).Should().Equal([target]);
    }

    [Fact]
    public void Replace_RaisesConfigError_WhenTargetIsAFile()
    {
        var file = Path.Combine(_root, "models.txt");
        File.WriteAllText(file, "x");
        var act = () => BundleDirectory.Replace(file, _ => 0);
        act.Should().Throw<ConfigException>().WithMessage("*--out names a file*");
    }

    [Fact]
    public void IsBundle_IsTrueOnlyForManifestPlusOnnxFiles()
    {
        BundleDirectory.IsBundle(Bundle("a", "x")).Should().BeTrue();
        var withModelsYaml = Bundle("b", "x");
        File.WriteAllText(Path.Combine(withModelsYaml, "models.yaml"), "trainer models directory");
        BundleDirectory.IsBundle(withModelsYaml).Should().BeFalse("a trainer models directory (models.yaml, *.bin) is not an ONNX bundle");
        var onlyOnnx = Path.Combine(_root, "c");
        Directory.CreateDirectory(onlyOnnx);
        File.WriteAllText(Path.Combine(onlyOnnx, "master.onnx"), "x");
        BundleDirectory.IsBundle(onlyOnnx).Should().BeFalse("no manifest");
    }
}

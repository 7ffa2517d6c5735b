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
    public void IsBundle_AcceptsWhatExportAndRetuneWrite_AndRejectsAnythingElse()
    {
        BundleDirectory.IsBundle(Bundle("a", "x")).Should().BeTrue();
        var full = Bundle("b", "x");
        foreach (var f in new[] { "models.yaml", "master.bin", "subpolicy-0.bin", "metrics.jsonl" }) File.WriteAllText(Path.Combine(full, f), "x");
        Directory.CreateDirectory(Path.Combine(full, "plots"));
        File.WriteAllText(Path.Combine(full, "plots", "success.svg"), "<svg/>");
        BundleDirectory.IsBundle(full).Should().BeTrue("ONNX models + manifest, the trainer's networks, a retune's metrics and plots");

        var withCheckpoint = Bundle("c", "x");
        File.WriteAllText(Path.Combine(withCheckpoint, "checkpoint.bin"), "x");
        BundleDirectory.IsBundle(withCheckpoint).Should().BeFalse("a run's checkpoint is not part of a bundle");
        var withNotes = Bundle("d", "x");
        Directory.CreateDirectory(Path.Combine(withNotes, "plots"));
        File.WriteAllText(Path.Combine(withNotes, "plots", "notes.txt"), "x");
        BundleDirectory.IsBundle(withNotes).Should().BeFalse("plots/ may hold only SVGs");
        var onlyOnnx = Path.Combine(_root, "e");
        Directory.CreateDirectory(onlyOnnx);
        File.WriteAllText(Path.Combine(onlyOnnx, "master.onnx"), "x");
        BundleDirectory.IsBundle(onlyOnnx).Should().BeFalse("no manifest");
    }

    [Fact]
    public void CheckReplaceable_AcceptsAnUnfinishedRetuneOutput_AndRefusesUserData()
    {
        var retuning = Path.Combine(_root, "retuning");
        Directory.CreateDirectory(Path.Combine(retuning, "plots"));
        File.WriteAllText(Path.Combine(retuning, "metrics.jsonl"), "{}");
        var ok = () => BundleDirectory.CheckReplaceable(retuning);
        ok.Should().NotThrow("a retune writes metrics and plots into --out before the bundle");

        var user = Path.Combine(_root, "user");
        Directory.CreateDirectory(user);
        File.WriteAllText(Path.Combine(user, "notes.txt"), "x");
        var bad = () => BundleDirectory.CheckReplaceable(user);
        bad.Should().Throw<ConfigException>().WithMessage("*--out exists and is not an Mlsh models directory*found: notes.txt*");
    }
}

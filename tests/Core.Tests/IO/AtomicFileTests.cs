using Mlsh.Core.IO;

namespace Mlsh.Core.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void WriteAllText_ReplacesContent_AndLeavesNoTempFiles()
    {
        var path = Path.Combine(_dir, "sub", "file.yaml");
        AtomicFile.WriteAllText(path, "first");
        AtomicFile.WriteAllText(path, "second");

        File.ReadAllText(path).Should().Be("second");
        Directory.GetFiles(Path.GetDirectoryName(path)!).Should().ContainSingle();
    }

    [Fact]
    public void Write_KeepsTheOldFile_WhenTheWriterThrows()
    {
        var path = Path.Combine(_dir, "checkpoint.bin");
        AtomicFile.WriteAllText(path, "good");

        var act = () => AtomicFile.Write(path, s => { s.WriteByte(1); throw new IOException("disk full"); });

        act.Should().Throw<IOException>();
        File.ReadAllText(path).Should().Be("good");
        Directory.GetFiles(_dir).Should().ContainSingle();
    }
}

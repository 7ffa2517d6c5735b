using Mlsh.Trainer.Runs;

namespace Mlsh.Trainer.Tests.Runs;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteSample()
    {
        var path = Path.Combine(_dir, "checkpoint.bin");
        Checkpoint.Write(path, w =>
        {
            w.Section("head");
            w.Int(7);
            w.String("mlsh");
            w.Section("net");
            w.Floats([1f, 2f, 3f]);
            w.ULongs([5UL, 6UL]);
        });
        return path;
    }

    [Fact]
    public void WriteThenOpen_RoundTripsEverySection()
    {
        var r = Checkpoint.Open(WriteSample());
        r.Section("head");
        r.Int().Should().Be(7);
        r.String().Should().Be("mlsh");
        r.Section("net");
        var f = new float[3];
        r.Floats(f);
        f.Should().Equal(1f, 2f, 3f);
        var u = new ulong[2];
        r.ULongs(u);
        u.Should().Equal(5UL, 6UL);
        r.EnsureEnd();
    }

    [Fact]
    public void Open_TruncatedFile_FailsNamingTheFile()
    {
        var path = WriteSample();
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);
        var act = () => Checkpoint.Open(path);
        act.Should().Throw<CheckpointException>().WithMessage($"{path}: truncated or padded checkpoint*");
    }

    [Fact]
    public void Open_FlippedByte_FailsWithChecksumMismatch()
    {
        var path = WriteSample();
        var bytes = File.ReadAllBytes(path);
        bytes[30] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var act = () => Checkpoint.Open(path);
        act.Should().Throw<CheckpointException>().WithMessage($"{path}: corrupted checkpoint: SHA-256*");
    }

    [Fact]
    public void Open_NotACheckpoint_SaysSo()
    {
        var path = Path.Combine(_dir, "x.bin");
        File.WriteAllText(path, "hello world, not a checkpoint");
        var act = () => Checkpoint.Open(path);
        act.Should().Throw<CheckpointException>().WithMessage($"{path}: not an Mlsh checkpoint*");
    }

    [Fact]
    public void Reader_ShapeMismatch_NamesTheSection()
    {
        var r = Checkpoint.Open(WriteSample());
        r.Section("head");
        r.Int();
        r.String();
        r.Section("net");
        var act = () => r.Floats(new float[4]);
        act.Should().Throw<CheckpointException>().WithMessage("*section 'net': expected 4 floats, found 3*");
    }

    [Fact]
    public void Reader_WrongSectionOrder_Fails()
    {
        var r = Checkpoint.Open(WriteSample());
        var act = () => r.Section("net");
        act.Should().Throw<CheckpointException>().WithMessage("*expected section 'net', found 'head'*");
    }

    [Fact]
    public void Block_RoundTripsNestedSections_AndErrorsInsideNameTheFile()
    {
        var path = Path.Combine(_dir, "blocks.bin");
        var inner = Checkpoint.Serialize(w =>
        {
            w.Section("rank");
            w.Int(1);
        });
        Checkpoint.Write(path, w =>
        {
            w.Section("ranks");
            w.Block(inner);
            w.Int(42);
        });
        var r = Checkpoint.Open(path);
        r.Version.Should().Be(Checkpoint.FormatVersion);
        r.Section("ranks");
        var block = r.Block();
        r.Int().Should().Be(42, "the outer reader continues after the block");
        r.EnsureEnd();
        block.Section("rank");
        block.Int().Should().Be(1);
        var act = () => block.Int();
        act.Should().Throw<CheckpointException>().WithMessage($"{path}: section 'rank': unexpected end of payload");
    }

    [Theory]
    [InlineData(1u, true)]
    [InlineData(Checkpoint.FormatVersion, true)]
    [InlineData(Checkpoint.FormatVersion + 1, false)]
    [InlineData(0u, false)]
    public void Open_ReadsFormatVersionsOneToCurrent_AndRejectsOthersNamingTheRange(uint version, bool readable)
    {
        var path = WriteSample();
        var bytes = File.ReadAllBytes(path);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), version);
        File.WriteAllBytes(path, bytes);
        if (readable)
        {
            Checkpoint.Open(path).Version.Should().Be(version);
            return;
        }
        var act = () => Checkpoint.Open(path);
        act.Should().Throw<CheckpointException>()
            .WithMessage($"{path}: checkpoint format version {version}; this build reads versions 1 to {Checkpoint.FormatVersion}");
    }
}

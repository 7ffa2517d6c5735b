using System.Buffers.Binary;
using System.Security.Cryptography;
using Mlsh.Trainer.Mlsh;
using Mlsh.Trainer.Runs;
using Mlsh.Trainer.Tests.Mlsh;

namespace Mlsh.Trainer.Tests.Runs;

/// <summary>Checkpoints written before per-rank state (format 1: one process, master inline) still resume.</summary>
public sealed class CheckpointFormatOneTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-ckpt1-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// Rewrites a single-process format-2 checkpoint in format 1: format 2 ends with
    /// <c>ranks: 1, block(rank: rank, group, task; master …)</c>, format 1 with <c>master …</c> right
    /// after the sub-policies. Everything before the "ranks" section is the same in both.
    /// </summary>
    private static void DowngradeToFormatOne(string path)
    {
        var file = File.ReadAllBytes(path);
        var payload = file.AsSpan(20, file.Length - 20 - 32);
        ReadOnlySpan<byte> ranks = [5, .. "ranks"u8];
        var at = payload.IndexOf(ranks);
        at.Should().BePositive("a format-2 checkpoint has a 'ranks' section");
        var p = at + ranks.Length;
        BinaryPrimitives.ReadInt32LittleEndian(payload[p..]).Should().Be(1, "one process wrote it");
        var blockLength = BinaryPrimitives.ReadInt32LittleEndian(payload[(p + 4)..]);
        var block = payload.Slice(p + 8, blockLength);
        const int rankHeader = 5 + 3 * 4; // "rank" section name, rank, task group, task
        ReadOnlySpan<byte> rankSection = [4, .. "rank"u8];
        block[..5].SequenceEqual(rankSection).Should().BeTrue("the block starts with the 'rank' section");
        byte[] v1 = [.. payload[..at], .. block[rankHeader..]];
        var output = new byte[20 + v1.Length + 32];
        "MLSHCKPT"u8.CopyTo(output);
        BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(output.AsSpan(12), (ulong)v1.Length);
        v1.CopyTo(output.AsSpan(20));
        SHA256.HashData(v1, output.AsSpan(20 + v1.Length));
        File.WriteAllBytes(path, output);
    }

    [Fact]
    public void FormatOneCheckpoint_MidRound_ResumesBitIdenticallyInOneProcess()
    {
        var config = TrainerFixtures.SmallBandits("mlsh");
        var fingerprint = TrainingRun.Fingerprint(config);
        const int k = 4; // round length 5: mid-round, so the inline master must be restored
        using var straight = TrainerFixtures.Create(config);
        for (var i = 0; i < 2 * k; i++) straight.RunIteration();

        var path = Path.Combine(_dir, "checkpoint.bin");
        using (var first = TrainerFixtures.Create(config))
        {
            for (var i = 0; i < k; i++) first.RunIteration();
            first.SaveCheckpoint(path, fingerprint);
        }
        DowngradeToFormatOne(path);
        Checkpoint.Open(path).Version.Should().Be(1);

        using var resumed = TrainerFixtures.Create(config);
        resumed.LoadCheckpoint(path, fingerprint, requireSameRanks: true);
        for (var i = 0; i < k; i++) resumed.RunIteration();
        TrainerFixtures.AllParameters(resumed).Should().Equal(TrainerFixtures.AllParameters(straight));
        resumed.Master!.Parameters.ToArray().Should().Equal(straight.Master!.Parameters.ToArray());
        resumed.CurrentTask.Should().Be(straight.CurrentTask);
    }
}

using System.Text.Json;
using Mlsh.Mpi.Diagnostics;

namespace Mlsh.Mpi.Tests.Diagnostics;

public sealed class MpiSelfCheckTests
{
    private const int Ranks = 2;

    [Fact]
    public void Collectives_UnderMpirunWithTwoRanks_ProduceTheArithmeticResultsOnEveryRank()
    {
        var run = MlshCli.Start("mpirun",
            ["--allow-run-as-root", "--oversubscribe", "-np", $"{Ranks}", "dotnet", MlshCli.DllPath(), "mpi-check", "--json"],
            TimeSpan.FromSeconds(120));
        run.ExitCode.Should().Be(0, $"mpirun must succeed; stderr:\n{run.Stderr}\nstdout:\n{run.Stdout}");

        // mpirun gives each rank a pseudo-terminal, so .NET's console may prefix terminal mode escapes to a line.
        var results = run.Stdout.Split('\n')
            .Where(l => l.Contains("{\"Rank\":", StringComparison.Ordinal))
            .Select(l => JsonSerializer.Deserialize<MpiSelfCheckResult>(l[l.IndexOf('{', StringComparison.Ordinal)..])!)
            .OrderBy(r => r.Rank)
            .ToList();
        results.Select(r => r.Rank).Should().Equal([0, 1], $"each rank prints one JSON line; stdout:\n{run.Stdout}");

        // Expected values computed here from the per-rank inputs documented in MpiSelfCheck.Run.
        const int n = Ranks;
        var rankSum = n * (n - 1) / 2.0;                 // sum of r
        foreach (var r in results)
        {
            r.Size.Should().Be(n);
            r.ThreadLevel.Should().BeGreaterThanOrEqualTo(1);
            r.SumFloat.Should().Equal([(float)(rankSum + n), (float)(10 * (rankSum + n)), 0.5f * n]);
            r.AverageDouble.Should().Equal([rankSum / n, (2 * rankSum + n) / n, -rankSum / n]);
            r.SumLong.Should().Equal([(long)rankSum << 33, n]);
            r.MaxDouble.Should().Equal([n - 1, 0]);
            r.BroadcastText.Should().Be(MpiSelfCheck.BroadcastMessage);
            r.BroadcastFloats.Should().Equal(MpiSelfCheck.BroadcastValues.ToArray());
            r.SoloGroupSize.Should().Be(1);
            r.SoloGroupRank.Should().Be(0);
            r.SoloGroupSum.Should().Be(r.Rank + 1);
            r.ReversedGroupSize.Should().Be(n);
            r.ReversedGroupRank.Should().Be(n - 1 - r.Rank, "key = -rank orders the group in reverse");
            r.ReversedGroupSum.Should().Be(rankSum + n);
            r.RootOutOfRangeError.Should().Contain("MPI_Bcast").And.Contain("MPI_ERR_ROOT");
            r.BroadcastBlobText.Should().Be(MpiSelfCheck.BroadcastMessage + "-blob", "the length travels with the bytes");
            if (r.Rank == 0) r.Gathered.Should().Equal(["a", "bb"], "rank r sent r + 1 copies of 'a' + r");
            else r.Gathered.Should().BeEmpty("only the root receives a gather");
        }
    }

    [Fact]
    public void MpiCheck_WithoutMpirun_ExitsWithUsageErrorAndNeedsNoMpi()
    {
        var run = MlshCli.Start("dotnet", [MlshCli.DllPath(), "mpi-check", "--json"], TimeSpan.FromSeconds(60));

        run.ExitCode.Should().Be(2);
        run.Stderr.Should().Contain("must run under mpirun");
        MpiLaunch.IsLaunchedByMpirun.Should().BeFalse("the test host is not started by mpirun");
    }
}

using System.Diagnostics;
using Mlsh.Mpi;
using Mlsh.Trainer.Configuration;

namespace Mlsh.Trainer.Mlsh;

/// <summary>
/// `mlsh train --workers N`: the launching process re-executes the same command under Open MPI's
/// mpirun with --mpi-rank added; each rank then trains with an <see cref="MpiReducer"/>. The same
/// command scales to a cluster by adding a hostfile through the MLSH_MPIRUN_ARGS environment variable
/// (e.g. "--hostfile hosts"). Without --workers no MPI library is loaded at all.
/// </summary>
public static class MpiTraining
{
    /// <summary>Runs mpirun with <paramref name="ranks"/> copies of this program's command line plus
    /// --mpi-rank, streaming their output; returns mpirun's exit code.</summary>
    /// <param name="commandLine">This process's <see cref="Environment.GetCommandLineArgs"/>: [0] is the entry assembly.</param>
    public static int Launch(int ranks, string[] commandLine)
    {
        var psi = MpirunStartInfo(ranks, commandLine, Environment.GetEnvironmentVariable("MLSH_MPIRUN_ARGS"), Environment.GetEnvironmentVariable("OMPI_MCA_mpi_yield_when_idle"));
        try
        {
            using var p = Process.Start(psi) ?? throw new InvalidOperationException("mpirun did not start");
            p.WaitForExit();
            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.Error.WriteLine($"error: cannot run mpirun ({e.Message}); install openmpi-bin (scripts/setup.sh) or train without --workers");
            return 2;
        }
    }

    /// <summary>The mpirun command line of <see cref="Launch"/>.</summary>
    /// <param name="userArgs">MLSH_MPIRUN_ARGS: extra mpirun arguments (space-separated), e.g. a hostfile.</param>
    /// <param name="yieldWhenIdle">OMPI_MCA_mpi_yield_when_idle as set in the environment, or null.</param>
    internal static ProcessStartInfo MpirunStartInfo(int ranks, string[] commandLine, string? userArgs, string? yieldWhenIdle)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ranks, 2);
        var psi = new ProcessStartInfo("mpirun") { UseShellExecute = false };
        // DESIGN: --oversubscribe because a workstation may have fewer cores than ranks; the root flag
        // only when we are root (mpirun refuses root without it).
        if (Environment.UserName == "root") psi.ArgumentList.Add("--allow-run-as-root");
        psi.ArgumentList.Add("--oversubscribe");
        var extras = (userArgs ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // DESIGN: no core binding and yielding waits, unless MLSH_MPIRUN_ARGS / OMPI_MCA_* say otherwise. A rank is a
        // .NET process whose GC and JIT threads must run beside its training thread: Open MPI's default binding of
        // each of ≤ 2 ranks to one core confines them to that core, and a rank spinning in a collective takes
        // cycles that the other rank needs on virtual cores sharing hardware. Measured with `mlsh bench train` on a
        // 2-core VM: mpi2_speedup 1.13-1.24 by default, 0.99 yielding but bound, 1.43-1.74 unbound and yielding,
        // against 1.64-1.84 for two independent single-process runs at once (the machine's own capacity).
        if (!extras.Contains("--bind-to")) { psi.ArgumentList.Add("--bind-to"); psi.ArgumentList.Add("none"); }
        if (yieldWhenIdle is null && !extras.Contains("mpi_yield_when_idle"))
            psi.Environment["OMPI_MCA_mpi_yield_when_idle"] = "1";
        foreach (var extra in extras)
            psi.ArgumentList.Add(extra);
        psi.ArgumentList.Add("-np");
        psi.ArgumentList.Add(ranks.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var entry = commandLine[0];
        if (entry.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            psi.ArgumentList.Add(Environment.ProcessPath ?? "dotnet");
        }
        psi.ArgumentList.Add(entry);
        foreach (var a in commandLine.Skip(1)) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--mpi-rank");
        return psi;
    }

    /// <summary>The body of one rank: joins MPI_COMM_WORLD, trains, finalizes. Ranks other than 0
    /// return a summary with an empty run directory (they write nothing).</summary>
    public static TrainSummary RunRank(TrainRunOptions options, Action<Runs.IterationMetrics, int>? onIteration)
    {
        if (!MpiLaunch.IsLaunchedByMpirun)
            throw new InvalidOperationException("--mpi-rank is set but this process was not started by mpirun (OMPI_COMM_WORLD_SIZE is unset)");
        var config = TrainConfig.Load(options.ConfigPath);
        using var world = MpiCommunicator.InitWorld();
        using var reducer = new MpiReducer(world, config.RanksPerTask);
        var summary = TrainingRun.Run(new TrainRunOptions
        {
            ConfigPath = options.ConfigPath,
            OutDirectory = options.OutDirectory,
            Seed = options.Seed,
            Resume = options.Resume,
            Reducer = reducer,
        }, world.IsRoot ? onIteration : null);
        // Each rank leaves the digest of its sub-policies, so anyone can check that ranks stayed in sync, and
        // of its task and master, so a resumed run can be compared rank by rank with an uninterrupted one.
        var ranks = Path.Combine(summary.RunDirectory, "ranks");
        Core.IO.AtomicFile.WriteAllText(Path.Combine(ranks, $"rank-{world.Rank}.sha256"), summary.SubpolicyDigest + "\n");
        Core.IO.AtomicFile.WriteAllText(Path.Combine(ranks, $"rank-{world.Rank}.master.sha256"), summary.MasterDigest + "\n");
        world.Barrier();
        return world.IsRoot ? summary : summary with { RunDirectory = "" };
    }
}

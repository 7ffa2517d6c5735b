using System.CommandLine;
using Mlsh.Mpi;
using Mlsh.Mpi.Diagnostics;

namespace Mlsh.Cli.Verbs;

/// <summary>
/// `mpirun -np N dotnet mlsh.dll mpi-check --json`: runs every MPI collective once and prints what this rank
/// saw, for the MPI tests and for diagnosing a cluster. Hidden from --help.
/// </summary>
public sealed class MpiCheckVerb : IVerb
{
    public Command Build()
    {
        var json = new Option<bool>("--json") { Description = "End with one JSON object (this rank's results) on the last line." };
        var cmd = new Command("mpi-check", "Diagnostic: exercise MPI collectives under mpirun and print each rank's results.")
        {
            Hidden = true,
        };
        cmd.Options.Add(json);
        cmd.SetAction(parse =>
        {
            if (!MpiLaunch.IsLaunchedByMpirun)
            {
                Console.Error.WriteLine("error: mpi-check must run under mpirun, e.g. mpirun --allow-run-as-root --oversubscribe -np 2 dotnet mlsh.dll mpi-check --json");
                return 2;
            }
            using var world = MpiCommunicator.InitWorld();
            var result = MpiSelfCheck.Run(world);
            if (parse.GetValue(json)) JsonOut.WriteLastLine(result);
            else Console.WriteLine($"rank {result.Rank}/{result.Size}: collectives completed (thread level {result.ThreadLevel})");
            return 0;
        });
        return cmd;
    }
}

namespace Mlsh.Mpi;

/// <summary>
/// What mpirun told this process through its environment. Reading it needs no MPI library, so a
/// single-process run (no mpirun) never loads libmpi at all.
/// </summary>
public static class MpiLaunch
{
    /// <summary>True when this process was started by Open MPI's mpirun/mpiexec (OMPI_COMM_WORLD_SIZE is set).</summary>
    public static bool IsLaunchedByMpirun => WorldSizeFromEnvironment is not null;

    /// <summary>The world size mpirun announced, or null outside mpirun.</summary>
    public static int? WorldSizeFromEnvironment => ReadInt("OMPI_COMM_WORLD_SIZE");

    /// <summary>This process's world rank as mpirun announced it, or null outside mpirun.</summary>
    public static int? WorldRankFromEnvironment => ReadInt("OMPI_COMM_WORLD_RANK");

    private static int? ReadInt(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) ? value : null;
}

namespace Mlsh.Hil.Running;

/// <summary>How the harness runs nodes and where it writes. Immutable.</summary>
public sealed record HarnessOptions
{
    /// <summary>The repository root (launch files, params, layouts resolve from it).</summary>
    public required string RepositoryRoot { get; init; }

    /// <summary>How to start the `mlsh` CLI for the nodes, e.g. ["dotnet", ".../mlsh.dll"].</summary>
    public required IReadOnlyList<string> CliCommand { get; init; }

    /// <summary>ROS domain of the run; the harness, sim and runtime all use it (tests use unique ones).</summary>
    public uint DomainId { get; init; }

    /// <summary>Folder for report.json, trajectory.svg and generated files (created).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Harness progress lines and the nodes' prefixed output.</summary>
    public TextWriter Log { get; init; } = Console.Error;

    /// <summary>Longest wait for the robot's first odometry after the nodes start (wall clock).</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Wall-clock bound on a run: StartupTimeout + this factor x the scenario duration (+ restarts).</summary>
    public double WallTimeFactor { get; init; } = 20;
}

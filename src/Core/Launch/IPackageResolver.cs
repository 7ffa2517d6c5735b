namespace Mlsh.Core.Launch;

/// <summary>
/// Maps ROS 2 package names to what exists without ROS 2: a share directory for `$(find-pkg-share)` and
/// a command line for each `node` executable. Implementations are immutable and thread-safe.
/// </summary>
public interface IPackageResolver
{
    /// <summary>The package's share directory, or null when the package is not available here.</summary>
    string? FindPackageShare(string package);

    /// <summary>The command line that runs <paramref name="executable"/> of <paramref name="package"/>,
    /// or null when either is unknown.</summary>
    IReadOnlyList<string>? FindNodeExecutable(string package, string executable);

    /// <summary>The executables of a known package (for error messages); empty when the package is unknown.</summary>
    IReadOnlyCollection<string> Executables(string package);
}

/// <summary>
/// The one ROS 2 package Mlsh ships, `mlsh_bringup`, resolved to this repository: its share directory is
/// the repository root (so `$(find-pkg-share mlsh_bringup)/launch/params/sim.yaml` names the same file here
/// and in an installed ROS 2 workspace, whose share/mlsh_bringup mirrors the repository's launch/ folder),
/// and its executables `mlsh_sim` / `mlsh_runtime` run the CLI verbs `sim` / `run`.
/// </summary>
public sealed class MlshBringupResolver : IPackageResolver
{
    public const string Package = "mlsh_bringup";

    private readonly string _root;
    private readonly Dictionary<string, string> _verbs = new(StringComparer.Ordinal)
    {
        ["mlsh_sim"] = "sim",
        ["mlsh_runtime"] = "run",
    };
    private readonly IReadOnlyList<string> _cli;

    /// <param name="repositoryRoot">The Mlsh repository root (MlshPaths.Root).</param>
    /// <param name="cliCommand">How to start the `mlsh` CLI, e.g. ["dotnet", ".../mlsh.dll"] or ["./mlsh"].</param>
    public MlshBringupResolver(string repositoryRoot, IReadOnlyList<string> cliCommand)
    {
        if (cliCommand.Count == 0) throw new ArgumentException("the CLI command must not be empty", nameof(cliCommand));
        _root = Path.GetFullPath(repositoryRoot);
        _cli = cliCommand.ToArray();
    }

    public string? FindPackageShare(string package) => package == Package ? _root : null;

    public IReadOnlyList<string>? FindNodeExecutable(string package, string executable) =>
        package == Package && _verbs.TryGetValue(executable, out var verb) ? [.. _cli, verb] : null;

    public IReadOnlyCollection<string> Executables(string package) =>
        package == Package ? _verbs.Keys.Order(StringComparer.Ordinal).ToArray() : Array.Empty<string>();
}

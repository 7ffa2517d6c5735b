namespace Mlsh.Core;

/// <summary>Where the repository's shipped assets (models, layouts, configs, launch files) live.</summary>
public static class MlshPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    /// <summary>The repository root: MLSH_ROOT if set (the ROS 2 package's wrappers set it), else the first
    /// ancestor of the working directory or of this assembly that holds Mlsh.sln.</summary>
    public static string Root => RootLazy.Value;

    public static string Models => Path.Combine(Root, "models");
    public static string Layouts => Path.Combine(Root, "layouts");
    public static string Configs => Path.Combine(Root, "configs");

    private static string FindRoot() =>
        FindRoot(Environment.GetEnvironmentVariable("MLSH_ROOT"), [Directory.GetCurrentDirectory(), AppContext.BaseDirectory]);

    // A ConfigException rather than InvalidOperationException: a binary copied out of the repository (how long
    // training runs are kept safe from rebuilds) is a setup the user fixes, and the CLI prints such errors in one line.
    internal static string FindRoot(string? mlshRoot, IEnumerable<string> searchFrom)
    {
        if (!string.IsNullOrEmpty(mlshRoot))
        {
            if (File.Exists(Path.Combine(mlshRoot, "Mlsh.sln"))) return mlshRoot;
            throw new Configuration.ConfigException($"MLSH_ROOT={mlshRoot} holds no Mlsh.sln; point it at the repository root or unset it");
        }
        foreach (var start in searchFrom)
        {
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Mlsh.sln"))) return d.FullName;
        }
        throw new Configuration.ConfigException(
            "cannot find the Mlsh repository root (no Mlsh.sln above the working directory or the program); run from inside the repository or set MLSH_ROOT");
    }
}

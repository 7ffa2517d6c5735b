namespace Mlsh.Core;

/// <summary>Where the repository's shipped assets (models, layouts, configs, launch files) live.</summary>
public static class MlshPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    /// <summary>The repository root: MLSH_ROOT if set (the ./mlsh script sets it), else the first
    /// ancestor of the working directory or of this assembly that holds Mlsh.sln.</summary>
    public static string Root => RootLazy.Value;

    public static string Models => Path.Combine(Root, "models");
    public static string Layouts => Path.Combine(Root, "layouts");
    public static string Configs => Path.Combine(Root, "configs");

    private static string FindRoot()
    {
        var env = Environment.GetEnvironmentVariable("MLSH_ROOT");
        if (!string.IsNullOrEmpty(env) && File.Exists(Path.Combine(env, "Mlsh.sln"))) return env;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Mlsh.sln"))) return d.FullName;
        }
        throw new InvalidOperationException("cannot find the Mlsh repository root (no Mlsh.sln above the working directory); set MLSH_ROOT");
    }
}

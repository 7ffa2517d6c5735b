using Mlsh.Core.Configuration;

namespace Mlsh.Core.Launch;

/// <summary>
/// The positional part of `./mlsh launch`: a launch file and `name:=value` launch arguments, in the two forms
/// ros2 launch accepts: `launch/demo.launch.yaml [a:=1]` or `mlsh_bringup demo.launch.yaml [a:=1]`.
/// A bare file name that does not exist in the working directory is looked up in the repository's launch/.
/// </summary>
public sealed record LaunchCommandLine(string File, IReadOnlyDictionary<string, string> Arguments)
{
    /// <exception cref="ConfigException">no file, a file that does not exist, a package other than
    /// mlsh_bringup, or a token that is not `name:=value`.</exception>
    public static LaunchCommandLine Parse(IReadOnlyList<string> tokens, string repositoryRoot)
    {
        var positional = tokens.TakeWhile(t => !t.Contains(":=", StringComparison.Ordinal)).ToList();
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var t in tokens.Skip(positional.Count))
        {
            var i = t.IndexOf(":=", StringComparison.Ordinal);
            if (i <= 0) throw new ConfigException($"launch argument '{t}' is not of the form name:=value");
            args[t[..i]] = t[(i + 2)..];
        }

        string file;
        switch (positional.Count)
        {
            case 1:
                file = positional[0];
                break;
            case 2 when positional[0] == MlshBringupResolver.Package:
                file = Path.Combine(repositoryRoot, "launch", positional[1]);
                break;
            case 2:
                throw new ConfigException($"package '{positional[0]}' is not available without ROS 2; only {MlshBringupResolver.Package} launch files run with ./mlsh launch");
            case 0:
                throw new ConfigException("no launch file given; e.g. ./mlsh launch launch/demo.launch.yaml (files: " +
                                          string.Join(", ", Available(repositoryRoot)) + ")");
            default:
                throw new ConfigException($"expected a launch file and name:=value arguments, got '{string.Join(' ', positional)}'");
        }

        if (!System.IO.File.Exists(file) && !file.Contains('/'))
        {
            var inRepo = Path.Combine(repositoryRoot, "launch", file);
            if (System.IO.File.Exists(inRepo)) file = inRepo;
        }
        if (!System.IO.File.Exists(file))
            throw new ConfigException($"launch file not found (available in launch/: {string.Join(", ", Available(repositoryRoot))})", file);
        return new LaunchCommandLine(Path.GetFullPath(file), args);
    }

    private static IEnumerable<string> Available(string root)
    {
        var dir = Path.Combine(root, "launch");
        return Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "*.launch.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal)!
            : [];
    }
}

using System.Globalization;
using System.Text;

namespace Mlsh.Core.Launch;

/// <summary>Whether a process came from a `node` (a ROS node of a package) or an `executable` action.</summary>
public enum ProcessKind { Node, Executable }

/// <summary>
/// One parameter source of a node, in launch-file order (later sources override earlier ones, as in
/// ROS 2): either a ROS 2 parameter file (`param: - from: file`) or inline values
/// (`param: - name: x value: y`), which the launcher writes to a temporary parameter file.
/// </summary>
public sealed record NodeParameterSource(string? File, IReadOnlyList<KeyValuePair<string, string>>? Inline)
{
    public static NodeParameterSource FromFile(string path) => new(path, null);
    public static NodeParameterSource FromValues(IReadOnlyList<KeyValuePair<string, string>> values) => new(null, values);

    /// <summary>
    /// The ROS 2 parameter-file YAML for inline values: `/**: ros__parameters: {...}`, so it applies to
    /// whichever node reads it (launch_ros writes the same wildcard form). Values are YAML flow scalars.
    /// </summary>
    public string ToParameterFileYaml()
    {
        if (Inline is null) throw new InvalidOperationException("not an inline parameter source");
        var sb = new StringBuilder("# written by ./mlsh launch for inline node parameters\n/**:\n  ros__parameters:\n");
        foreach (var (name, value) in Inline) sb.Append("    ").Append(name).Append(": ").Append(value).Append('\n');
        return sb.ToString();
    }
}

/// <summary>
/// A fully resolved process of a launch file: every substitution done, every path absolute or as written,
/// ready to start. Immutable; produced by <see cref="LaunchFileLoader"/>, run by <see cref="Launcher"/>.
/// </summary>
public sealed record ProcessSpec
{
    /// <summary>Unique label used for the `[name]` output prefix and in reports.</summary>
    public required string Name { get; init; }
    public required ProcessKind Kind { get; init; }

    /// <summary>The program and its leading arguments (for a node: what the package resolver mapped pkg/exec to).</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>Node `args` (after the parameter files) or nothing for executables (their cmd is all in Command).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = Array.Empty<string>();

    public IReadOnlyList<NodeParameterSource> Parameters { get; init; } = Array.Empty<NodeParameterSource>();

    /// <summary>`--ros-args` that follow the command: `-r __node:=`, `-r __ns:=`, remaps, and any `ros_args`.</summary>
    public IReadOnlyList<string> RosArguments { get; init; } = Array.Empty<string>();

    /// <summary>Variables set (non-null) or removed (null) on top of the launcher's environment.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    public string? WorkingDirectory { get; init; }

    /// <summary>When true any exit of this process ends the launch (`on_exit: shutdown`; the default for nodes).</summary>
    public bool Required { get; init; }

    /// <summary>Time from SIGINT to SIGTERM when stopping (ROS 2 `sigterm_timeout`).</summary>
    public TimeSpan? SigtermTimeout { get; init; }

    /// <summary>Time from SIGTERM to SIGKILL (ROS 2 `sigkill_timeout`).</summary>
    public TimeSpan? SigkillTimeout { get; init; }

    /// <summary>The full argv given the paths the inline parameter sources were written to (same order).</summary>
    public IReadOnlyList<string> BuildArgv(IReadOnlyList<string> inlineParameterFiles)
    {
        var argv = new List<string>(Command);
        var inline = 0;
        foreach (var p in Parameters)
        {
            argv.Add("--params");
            argv.Add(p.File ?? inlineParameterFiles[inline++]);
        }
        argv.AddRange(Arguments);
        if (RosArguments.Count > 0)
        {
            argv.Add("--ros-args");
            argv.AddRange(RosArguments);
        }
        return argv;
    }

    /// <summary>A readable one-line command (inline parameter files shown as their values), for --print and logs.</summary>
    public string Describe()
    {
        var placeholders = Parameters.Where(p => p.File is null)
            .Select(p => "<" + string.Join(",", p.Inline!.Select(kv => $"{kv.Key}={kv.Value}")) + ">")
            .ToList();
        var env = Environment.Select(kv => kv.Value is null ? $"-u {kv.Key}" : $"{kv.Key}={Quote(kv.Value)}");
        var line = string.Join(' ', BuildArgv(placeholders).Select(Quote));
        var prefix = string.Join(' ', env);
        return prefix.Length == 0 ? line : prefix + " " + line;
    }

    private static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsLetterOrDigit(c) || "-_./:=,@%+<>".Contains(c))
            ? s
            : "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    internal static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>The resolved content of a launch file (with its includes): the processes in start order and the
/// launch arguments in effect.</summary>
public sealed record LaunchPlan(string SourceFile, IReadOnlyList<ProcessSpec> Processes, IReadOnlyDictionary<string, string> Arguments);

using Mlsh.Core.Configuration;

namespace Mlsh.Core.Launch;

/// <summary>
/// The `--ros-args ... [--]` section of a node's command line, as ros2 launch / ros2 run and ./mlsh launch
/// pass it: `-r/--remap [node:]from:=to` (incl. `__node:=` and `__ns:=`), `-p/--param name:=value`,
/// `--params-file FILE`, `--log-level [logger:=]LEVEL`, `-e/--enclave X`. Immutable.
/// </summary>
/// <remarks>Verbs started as nodes (sim, run) call <see cref="Split"/> on their raw arguments (or
/// <see cref="Parse"/> on System.CommandLine's unmatched tokens) and give the result to
/// <see cref="RosNodeParameters.Load"/>.</remarks>
public sealed record RosArguments
{
    public string? NodeName { get; init; }
    public string? Namespace { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Remaps { get; init; } = [];
    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; init; } = [];
    public IReadOnlyList<string> ParameterFiles { get; init; } = [];
    public string? LogLevel { get; init; }

    public static RosArguments Empty { get; } = new();

    /// <summary>Separates the `--ros-args` sections (there may be several, each ended by `--` or the end)
    /// from the node's own arguments.</summary>
    public static (IReadOnlyList<string> Own, RosArguments Ros) Split(IReadOnlyList<string> args)
    {
        var own = new List<string>();
        var ros = new List<string>();
        var inRos = false;
        foreach (var a in args)
        {
            if (a == "--ros-args") { inRos = true; continue; }
            if (inRos && a == "--") { inRos = false; continue; }
            (inRos ? ros : own).Add(a);
        }
        return (own, Parse(ros));
    }

    /// <summary>Parses the tokens of a `--ros-args` section (without the `--ros-args` marker itself).</summary>
    /// <exception cref="ConfigException">an unknown flag, a flag without its value, or a value without `:=`.</exception>
    public static RosArguments Parse(IReadOnlyList<string> tokens)
    {
        string? node = null, ns = null, level = null;
        var remaps = new List<KeyValuePair<string, string>>();
        var parameters = new List<KeyValuePair<string, string>>();
        var files = new List<string>();
        for (var i = 0; i < tokens.Count; i++)
        {
            var flag = tokens[i];
            if (flag == "--ros-args") continue;
            string Value() => i + 1 < tokens.Count
                ? tokens[++i]
                : throw new ConfigException($"--ros-args: {flag} needs a value");
            switch (flag)
            {
                case "-r" or "--remap":
                    var (from, to) = Assignment(flag, Value());
                    // `node:from:=to` targets one node of a process; a Mlsh process is one node.
                    var colon = from.IndexOf(':', StringComparison.Ordinal);
                    if (colon >= 0) from = from[(colon + 1)..];
                    if (from == "__node" || from == "__name") node = to;
                    else if (from == "__ns") ns = to;
                    else remaps.Add(new(from, to));
                    break;
                case "-p" or "--param":
                    var (name, value) = Assignment(flag, Value());
                    parameters.Add(new(name, value));
                    break;
                case "--params-file":
                    files.Add(Value());
                    break;
                case "--log-level":
                    level = Value();
                    break;
                case "-e" or "--enclave":
                    Value();
                    break;
                default:
                    throw new ConfigException($"--ros-args: unsupported argument '{flag}'; supported: -r/--remap, -p/--param, --params-file, --log-level, -e/--enclave");
            }
        }
        return new RosArguments { NodeName = node, Namespace = ns, Remaps = remaps, Parameters = parameters, ParameterFiles = files, LogLevel = level };
    }

    private static (string, string) Assignment(string flag, string text)
    {
        var i = text.IndexOf(":=", StringComparison.Ordinal);
        if (i <= 0) throw new ConfigException($"--ros-args: {flag} '{text}' is not of the form name:=value");
        return (text[..i], text[(i + 2)..]);
    }

    /// <summary>The topic name after remapping (exact-name rules only, as `-r from:=to` writes them).</summary>
    public string Remap(string topic)
    {
        foreach (var (from, to) in Remaps)
            if (from == topic) return to;
        return topic;
    }
}

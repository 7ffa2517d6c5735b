using System.Globalization;
using Mlsh.Core.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mlsh.Core.Launch;

/// <summary>
/// The parameters one node reads from ROS 2 parameter files (`node: ros__parameters: {...}`) and `-p`
/// overrides, merged the way rclcpp does: files in order, later files win, `-p` wins over all. Sections
/// apply when keyed `/**`, `/*`, the node name, `/name` or `/namespace/name`; sections of other nodes are
/// ignored (one file may configure several nodes). Nested maps become dotted names (`mqtt.port`).
/// Immutable after loading; safe to read from any thread.
/// </summary>
public sealed class RosNodeParameters
{
    private readonly Dictionary<string, Entry> _values;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    /// <summary>Node name and namespace in effect (after `__node` / `__ns` remaps).</summary>
    public string NodeName { get; }
    public string Namespace { get; }

    /// <summary>A value and where it was set: a file (and line) or a `-p` override.</summary>
    private readonly record struct Entry(YamlNode Value, string Source);

    private RosNodeParameters(string node, string ns, Dictionary<string, Entry> values)
    {
        NodeName = node;
        Namespace = ns;
        _values = values;
    }

    /// <summary>All parameter names present.</summary>
    public IEnumerable<string> Names => _values.Keys.Order(StringComparer.Ordinal);

    /// <param name="defaultNodeName">The node's name unless `-r __node:=` renames it (e.g. mlsh_sim).</param>
    /// <param name="files">`--params` files in command-line order (then <see cref="RosArguments.ParameterFiles"/>).</param>
    /// <exception cref="ConfigException">a missing or malformed file, or a value that is not a scalar or list of scalars.</exception>
    public static RosNodeParameters Load(string defaultNodeName, IEnumerable<string> files, RosArguments? ros = null)
    {
        ros ??= RosArguments.Empty;
        var node = ros.NodeName ?? defaultNodeName;
        var ns = "/" + (ros.Namespace ?? "").Trim('/');
        var values = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var file in files.Concat(ros.ParameterFiles)) LoadFile(file, node, ns, values);
        foreach (var (name, text) in ros.Parameters)
        {
            var yaml = new YamlStream();
            try { yaml.Load(new StringReader(text)); }
            catch (YamlException) { yaml = new YamlStream(new YamlDocument(new YamlScalarNode(text))); }
            values[name] = new Entry(yaml.Documents.Count == 0 ? new YamlScalarNode("") : yaml.Documents[0].RootNode, $"-p {name}:={text}");
        }
        return new RosNodeParameters(node, ns, values);
    }

    private static void LoadFile(string file, string node, string ns, Dictionary<string, Entry> into)
    {
        if (!File.Exists(file)) throw new ConfigException("parameter file not found", file);
        var yaml = new YamlStream();
        try { yaml.Load(new StringReader(File.ReadAllText(file))); }
        catch (YamlException e) { throw new ConfigException($"line {e.Start.Line}: not valid YAML: {(e.InnerException ?? e).Message.TrimEnd('.')}", file, e); }
        if (yaml.Documents.Count == 0) return;
        if (yaml.Documents[0].RootNode is not YamlMappingNode root)
            throw new ConfigException("line 1: expected node sections (`<node name>: ros__parameters: ...`)", file);
        var qualified = (ns == "/" ? "" : ns) + "/" + node;
        foreach (var (key, section) in root.Children)
        {
            var k = ((YamlScalarNode)key).Value ?? "";
            var applies = k is "/**" or "/*" || k == node || k == "/" + node || k == qualified;
            if (!applies) continue;
            if (section is not YamlMappingNode m || !m.Children.TryGetValue(new YamlScalarNode("ros__parameters"), out var p) || p is not YamlMappingNode pm)
                throw new ConfigException($"line {section.Start.Line}: section '{k}' needs a 'ros__parameters' mapping", file);
            Flatten(pm, "", file, into);
        }
    }

    private static void Flatten(YamlMappingNode map, string prefix, string file, Dictionary<string, Entry> into)
    {
        foreach (var (key, value) in map.Children)
        {
            var name = prefix + ((YamlScalarNode)key).Value;
            switch (value)
            {
                case YamlMappingNode nested:
                    Flatten(nested, name + ".", file, into);
                    break;
                case YamlScalarNode:
                    into[name] = new Entry(value, $"{file}:{value.Start.Line}");
                    break;
                case YamlSequenceNode seq when seq.All(n => n is YamlScalarNode):
                    into[name] = new Entry(value, $"{file}:{value.Start.Line}");
                    break;
                default:
                    throw new ConfigException($"line {value.Start.Line}: parameter '{name}' must be a scalar or a list of scalars", file);
            }
        }
    }

    public bool Contains(string name) => _values.ContainsKey(name);

    public string GetString(string name, string? fallback = null) =>
        Scalar(name, fallback) ?? throw Missing(name);

    public double GetDouble(string name, double? fallback = null)
    {
        var text = Scalar(name, fallback?.ToString("R", CultureInfo.InvariantCulture));
        if (text is null) throw Missing(name);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v : throw Wrong(name, text, "a number");
    }

    public int GetInt(string name, int? fallback = null)
    {
        var text = Scalar(name, fallback?.ToString(CultureInfo.InvariantCulture));
        if (text is null) throw Missing(name);
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw Wrong(name, text, "an integer");
    }

    public bool GetBool(string name, bool? fallback = null)
    {
        var text = Scalar(name, fallback?.ToString());
        if (text is null) throw Missing(name);
        return text.ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw Wrong(name, text, "true or false"),
        };
    }

    public IReadOnlyList<string> GetStringList(string name, IReadOnlyList<string>? fallback = null)
    {
        _read.Add(name);
        if (!_values.TryGetValue(name, out var e)) return fallback ?? throw Missing(name);
        if (e.Value is YamlSequenceNode seq) return seq.Select(n => ((YamlScalarNode)n).Value ?? "").ToArray();
        throw Wrong(name, e.Value.ToString(), "a list");
    }

    /// <summary>Every parameter present that no getter asked for, so a typo fails at start-up instead of
    /// being silently ignored. Call after reading all parameters.</summary>
    /// <exception cref="ConfigException">naming each unknown parameter, where it was set and the known names.</exception>
    public void RejectUnread()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k) && k != "use_sim_time").Order(StringComparer.Ordinal).ToList();
        if (unknown.Count == 0) return;
        throw new ConfigException(
            $"node {NodeName}: unknown parameter{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(u => $"'{u}' ({_values[u].Source})"))}; " +
            $"known: {string.Join(", ", _read.Order(StringComparer.Ordinal))}");
    }

    private string? Scalar(string name, string? fallback)
    {
        _read.Add(name);
        if (!_values.TryGetValue(name, out var e)) return fallback;
        return e.Value is YamlScalarNode s ? s.Value ?? "" : throw Wrong(name, "a list", "a single value");
    }

    private ConfigException Missing(string name) =>
        new($"node {NodeName}: required parameter '{name}' is not set (add it under {NodeName}: ros__parameters: in the --params file, or pass -p {name}:=<value>)");

    private ConfigException Wrong(string name, string text, string expected)
    {
        var source = _values.TryGetValue(name, out var e) ? e.Source : "";
        return new ConfigException($"node {NodeName}: parameter '{name}' is '{text}'; expected {expected} (set at {source})");
    }
}

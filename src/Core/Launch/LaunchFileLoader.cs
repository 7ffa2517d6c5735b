using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Mlsh.Core.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mlsh.Core.Launch;

/// <summary>
/// Reads a ROS 2 YAML launch file (the launch_yaml / launch_ros front end) into a <see cref="LaunchPlan"/>.
/// </summary>
/// <remarks>
/// <para>Supported subset (anything else is rejected with the file, line and key):</para>
/// <list type="bullet">
/// <item>`arg` (name, default, description, choice: [{value}]), `let` (name, value)</item>
/// <item>`node` (pkg, exec, name, namespace, args, ros_args, param: [{from} | {name, value} | {name, param: [...]}],
///   remap: [{from, to}], env: [{name, value}], cwd, output, on_exit: shutdown, sigterm_timeout, sigkill_timeout)</item>
/// <item>`executable` (cmd, name, cwd, shell, env, output, on_exit: shutdown, sigterm_timeout, sigkill_timeout)</item>
/// <item>`include` (file, arg: [{name, value}]; or `include: path`), YAML launch files only</item>
/// <item>`group` (scoped, forwarding, keep: [{name, value}], children), `push_ros_namespace` (namespace)</item>
/// <item>`set_env` (name, value), `unset_env` (name)</item>
/// <item>`if` / `unless` on every action; substitutions: see <see cref="Substitutions"/>.</item>
/// </list>
/// <para>Semantics follow ROS 2: `include` is not scoped (its args and lets stay visible afterwards, wrap it
/// in a `group` to scope it); a `group` is scoped by default; later parameter sources override earlier
/// ones. Deliberate differences: a missing parameter file or `cwd` is an error here (ROS 2 only warns),
/// and a launch argument given on the command line that no file declares is an error.</para>
/// Not thread-safe; one loader per load.
/// </remarks>
public sealed class LaunchFileLoader
{
    private static readonly string[] Actions =
        ["arg", "let", "node", "executable", "include", "group", "push_ros_namespace", "set_env", "unset_env"];
    private static readonly string[] OutputModes = ["screen", "log", "both"];
    private static readonly Regex PlainYamlScalar = new(
        @"^(true|false|True|False|TRUE|FALSE|[-+]?[0-9]+|[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+)$",
        RegexOptions.CultureInvariant);

    private readonly IPackageResolver _resolver;
    private readonly IReadOnlyDictionary<string, string> _baseEnvironment;
    private readonly List<ProcessSpec> _processes = new();
    private readonly HashSet<string> _declared = new(StringComparer.Ordinal);
    private readonly Stack<string> _includeStack = new();

    /// <param name="resolver">Maps `pkg`/`exec` and `$(find-pkg-share)`.</param>
    /// <param name="baseEnvironment">The environment `$(env)` sees before any set_env; null: this process's.</param>
    public LaunchFileLoader(IPackageResolver resolver, IReadOnlyDictionary<string, string>? baseEnvironment = null)
    {
        _resolver = resolver;
        _baseEnvironment = baseEnvironment ?? CurrentEnvironment();
    }

    /// <summary>Loads <paramref name="path"/> with launch arguments (the `name:=value` of the command line).</summary>
    /// <exception cref="ConfigException">the file or an included one is missing, malformed, uses an unsupported
    /// action, key or substitution, or names a package, executable or file that does not exist.</exception>
    public LaunchPlan Load(string path, IReadOnlyDictionary<string, string>? arguments = null)
    {
        var full = Path.GetFullPath(path);
        var scope = new Scope(new Dictionary<string, string>(arguments ?? new Dictionary<string, string>(), StringComparer.Ordinal),
            new Dictionary<string, string?>(StringComparer.Ordinal), "");
        LoadFile(full, scope, null);
        foreach (var name in (arguments ?? new Dictionary<string, string>()).Keys)
        {
            if (!_declared.Contains(name))
                throw new ConfigException($"launch argument '{name}' is not declared by this launch file or its includes " +
                                          $"(declared: {(_declared.Count == 0 ? "none" : string.Join(", ", _declared.Order(StringComparer.Ordinal)))})", full);
        }
        var effective = scope.Configurations.Where(kv => _declared.Contains(kv.Key))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        return new LaunchPlan(full, _processes.ToArray(), effective);
    }

    private static Dictionary<string, string> CurrentEnvironment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables()) env[(string)e.Key] = (string?)e.Value ?? "";
        return env;
    }

    private void LoadFile(string file, Scope scope, Located? includedFrom)
    {
        if (!File.Exists(file))
        {
            if (includedFrom is { } at) throw at.Error($"included file '{file}' not found");
            throw new ConfigException("launch file not found", file);
        }
        if (_includeStack.Contains(file))
            throw includedFrom!.Value.Error($"include cycle: {string.Join(" -> ", _includeStack.Reverse().Append(file).Select(Path.GetFileName))}");
        var ext = file.EndsWith(".yaml", StringComparison.Ordinal) || file.EndsWith(".yml", StringComparison.Ordinal);
        if (!ext)
        {
            var msg = $"only YAML launch files (.launch.yaml) can be used without ROS 2; '{Path.GetFileName(file)}' needs `ros2 launch`";
            if (includedFrom is { } at) throw at.Error(msg);
            throw new ConfigException(msg, file);
        }

        var stream = new YamlStream();
        try
        {
            using var reader = new StringReader(File.ReadAllText(file));
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new ConfigException($"line {e.Start.Line}: not valid YAML: {(e.InnerException ?? e).Message.TrimEnd('.')}", file, e);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ConfigException("line 1: expected a mapping with one key 'launch' holding a list of actions", file);

        _includeStack.Push(file);
        var previousFile = scope.File;
        scope.File = file;
        try
        {
            var top = new Located(root, "", file);
            top.CheckKeys("the top level", "launch");
            if (!root.Children.TryGetValue(new YamlScalarNode("launch"), out var launchNode))
                throw top.Error("missing the 'launch' key (a list of actions)");
            var launch = new Located(launchNode, "launch", file);
            if (launchNode is YamlScalarNode { Value: null or "" }) return;
            if (launchNode is not YamlSequenceNode actions) throw launch.Error("expected a list of actions");
            var i = 0;
            foreach (var action in actions) RunAction(new Located(action, $"launch[{i++}]", file), scope);
        }
        finally
        {
            scope.File = previousFile;
            _includeStack.Pop();
        }
    }

    private void RunAction(Located item, Scope scope)
    {
        if (item.Node is not YamlMappingNode { Children.Count: 1 } map)
            throw item.Error($"expected one action as a single-key mapping ({string.Join(", ", Actions)})");
        var (keyNode, body) = map.Children.First();
        var kind = ((YamlScalarNode)keyNode).Value ?? "";
        if (kind == "push-ros-namespace") kind = "push_ros_namespace";
        var at = new Located(body, $"{item.Path}.{kind}", item.File);
        if (!Actions.Contains(kind))
            throw new Located(keyNode, item.Path, item.File).Error($"unknown or unsupported action '{kind}'; supported: {string.Join(", ", Actions)}");

        // include also has a short form: `- include: path/to/file.launch.yaml`.
        if (kind == "include" && body is YamlScalarNode)
        {
            Include(at, scope, at.Evaluate(new SubstitutionContext(scope, this)), new List<(string, string)>());
            return;
        }
        if (body is not YamlMappingNode)
            throw at.Error($"expected the keys of '{kind}' as a mapping");

        var entity = new Entity(at, scope, this);
        switch (kind)
        {
            case "arg": entity.Keys("name", "default", "description", "choice"); break;
            case "let": entity.Keys("name", "value"); break;
            case "node":
                entity.Keys("pkg", "exec", "name", "namespace", "args", "ros_args", "param", "remap", "env", "cwd", "output",
                    "on_exit", "sigterm_timeout", "sigkill_timeout");
                break;
            case "executable":
                entity.Keys("cmd", "name", "cwd", "shell", "env", "output", "on_exit", "sigterm_timeout", "sigkill_timeout");
                break;
            case "include": entity.Keys("file", "arg"); break;
            case "group": entity.Keys("scoped", "forwarding", "keep", "children"); break;
            case "push_ros_namespace": entity.Keys("namespace"); break;
            case "set_env": entity.Keys("name", "value"); break;
            case "unset_env": entity.Keys("name"); break;
        }
        if (!entity.ConditionHolds()) return;

        switch (kind)
        {
            case "arg": DeclareArgument(entity, scope); break;
            case "let": scope.Configurations[entity.Required("name")] = entity.Required("value"); break;
            case "node": AddNode(entity, scope); break;
            case "executable": AddExecutable(entity, scope); break;
            case "include":
                Include(at, scope, entity.Required("file"),
                    entity.List("arg").Select(a => { a.Keys("name", "value"); return (a.Required("name"), a.Required("value")); }).ToList());
                break;
            case "group": Group(entity, scope); break;
            case "push_ros_namespace": scope.Namespace = JoinNamespace(scope.Namespace, entity.Required("namespace")); break;
            case "set_env": scope.Environment[entity.Required("name")] = entity.Required("value"); break;
            case "unset_env": scope.Environment[entity.Required("name")] = null; break;
        }
    }

    private void DeclareArgument(Entity e, Scope scope)
    {
        var name = e.Required("name");
        _declared.Add(name);
        var choices = e.List("choice").Select(c => { c.Keys("value"); return c.Required("value"); }).ToList();
        if (!scope.Configurations.TryGetValue(name, out var value))
        {
            value = e.Optional("default")
                    ?? throw e.At.Error($"launch argument '{name}' has no default and was not given; pass {name}:=<value>");
            scope.Configurations[name] = value;
        }
        if (choices.Count > 0 && !choices.Contains(value))
            throw e.At.Error($"launch argument '{name}' is '{value}'; expected one of: {string.Join(", ", choices)}");
    }

    private void Include(Located at, Scope scope, string file, List<(string Name, string Value)> args)
    {
        // DESIGN: like ROS 2, an include shares the includer's scope (its args stay set afterwards);
        // wrap it in a group to isolate it. The arg values are evaluated before any of them is set.
        foreach (var (name, value) in args) scope.Configurations[name] = value;
        LoadFile(Path.GetFullPath(file), scope, at);
    }

    private void Group(Entity e, Scope scope)
    {
        var scoped = e.Bool("scoped") ?? true;
        var forwarding = e.Bool("forwarding") ?? true;
        var keep = e.List("keep").Select(k => { k.Keys("name", "value"); return (k.Required("name"), k.Required("value")); }).ToList();
        var inner = scoped ? scope.Copy(forwarding) : scope;
        foreach (var (name, value) in keep) inner.Configurations[name] = value;
        var children = e.At.Child("children");
        if (children is null) return;
        if (children.Value.Node is not YamlSequenceNode seq) throw children.Value.Error("expected a list of actions");
        var i = 0;
        foreach (var child in seq) RunAction(new Located(child, $"{children.Value.Path}[{i++}]", e.At.File), inner);
    }

    private void AddNode(Entity e, Scope scope)
    {
        var pkg = e.Required("pkg");
        var exec = e.Required("exec");
        var command = _resolver.FindNodeExecutable(pkg, exec);
        if (command is null)
        {
            var known = _resolver.Executables(pkg);
            throw e.At.Error(known.Count == 0
                ? $"package '{pkg}' is not available without ROS 2 (./mlsh launch runs only {MlshBringupResolver.Package} nodes; use `ros2 launch` for others)"
                : $"package '{pkg}' has no executable '{exec}'; available: {string.Join(", ", known)}");
        }
        var name = e.Optional("name");
        var ns = JoinNamespace(scope.Namespace, e.Optional("namespace") ?? "");
        var ros = new List<string>();
        if (name is not null && name != exec) ros.AddRange(["-r", $"__node:={name}"]);
        if (ns.Length > 0) ros.AddRange(["-r", $"__ns:={ns}"]);
        foreach (var r in e.List("remap"))
        {
            r.Keys("from", "to");
            ros.AddRange(["-r", $"{r.Required("from")}:={r.Required("to")}"]);
        }
        if (e.Optional("ros_args") is not null) ros.AddRange(e.SplitCommandLine("ros_args"));

        // As launch_ros does: parameter files in order, then all inline values as one file last, so an
        // inline value overrides the same name in a file.
        var parameters = new List<NodeParameterSource>();
        var inline = new List<KeyValuePair<string, string>>();
        foreach (var p in e.List("param"))
        {
            if (p.Optional("from") is { } from)
            {
                p.Keys("from");
                var full = Path.GetFullPath(from);
                if (!File.Exists(full)) throw p.At.Error($"parameter file '{from}' not found");
                parameters.Add(NodeParameterSource.FromFile(full));
            }
            else
            {
                CollectInline(p, "", inline);
            }
        }
        if (inline.Count > 0) parameters.Add(NodeParameterSource.FromValues(inline));

        _processes.Add(CommonProcess(e, scope, UniqueName(name ?? exec)) with
        {
            Kind = ProcessKind.Node,
            Command = command,
            Arguments = e.Optional("args") is null ? Array.Empty<string>() : e.SplitCommandLine("args"),
            Parameters = parameters,
            RosArguments = ros,
            // DESIGN: nodes are required by default (any exit ends the launch) because Mlsh's nodes only make
            // sense together; ros2 launch needs `on_exit: shutdown` for that, which our launch files also set.
            Required = true,
        });
    }

    private void CollectInline(Entity p, string prefix, List<KeyValuePair<string, string>> into)
    {
        p.Keys("name", "value", "param");
        var name = prefix + p.Required("name");
        var nested = p.List("param");
        if (nested.Count > 0)
        {
            if (p.At.Child("value") is not null) throw p.At.Error("a parameter has either 'value' or nested 'param', not both");
            foreach (var child in nested) CollectInline(child, name + ".", into);
            return;
        }
        var valueNode = p.At.Child("value") ?? throw p.At.Error("a parameter needs 'from' (a parameter file) or 'name' and 'value'");
        into.Add(new(name, YamlValue(valueNode, p.Context)));
    }

    /// <summary>A parameter value as YAML flow text: numbers and booleans stay typed, everything else is a quoted string.</summary>
    private static string YamlValue(Located value, ISubstitutionContext context)
    {
        if (value.Node is YamlSequenceNode seq)
        {
            var items = seq.Select((n, i) => YamlValue(new Located(n, $"{value.Path}[{i}]", value.File), context));
            return "[" + string.Join(", ", items) + "]";
        }
        if (value.Node is not YamlScalarNode) throw value.Error("a parameter value must be a scalar or a list of scalars");
        // As launch_ros does, the type comes from the evaluated text (a substitution result is YAML-parsed),
        // not from quoting in the launch file: "50" and 50 both give an integer.
        var text = value.Evaluate(context);
        if (PlainYamlScalar.IsMatch(text)) return text;
        var sb = new StringBuilder("\"");
        foreach (var c in text)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                _ when c < ' ' => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }

    private void AddExecutable(Entity e, Scope scope)
    {
        var shell = e.Bool("shell") ?? false;
        var argv = shell ? ["/bin/sh", "-c", e.Required("cmd")] : e.SplitCommandLine("cmd");
        if (argv.Count == 0) throw e.At.Error("'cmd' is empty");
        var name = e.Optional("name") ?? Path.GetFileName(shell ? "sh" : argv[0]);
        // DESIGN: unlike a node, a plain executable is required only with `on_exit: shutdown` (set by
        // CommonProcess): it may be a one-shot helper (create a folder, wait for a port) whose clean exit must
        // not end the launch.
        _processes.Add(CommonProcess(e, scope, UniqueName(name)) with { Kind = ProcessKind.Executable, Command = argv });
    }

    /// <summary>Keys shared by node and executable: env, cwd, output, on_exit, timeouts.</summary>
    private ProcessSpec CommonProcess(Entity e, Scope scope, string name)
    {
        var env = new Dictionary<string, string?>(scope.Environment, StringComparer.Ordinal);
        foreach (var v in e.List("env"))
        {
            v.Keys("name", "value");
            env[v.Required("name")] = v.Required("value");
        }
        var cwd = e.Optional("cwd");
        if (cwd is not null)
        {
            cwd = Path.GetFullPath(cwd);
            if (!Directory.Exists(cwd)) throw e.At.Error($"working directory (cwd) '{cwd}' does not exist");
        }
        var output = e.Optional("output");
        if (output is not null && !OutputModes.Contains(output))
            throw e.At.Error($"output is '{output}'; expected one of: {string.Join(", ", OutputModes)}");
        var onExit = e.Optional("on_exit");
        if (onExit is not null && onExit != "shutdown")
            throw e.At.Error($"on_exit is '{onExit}'; only 'shutdown' is supported");
        return new ProcessSpec
        {
            Name = name,
            Kind = ProcessKind.Executable,
            Command = Array.Empty<string>(),
            Environment = env,
            WorkingDirectory = cwd,
            Required = onExit == "shutdown",
            SigtermTimeout = e.Seconds("sigterm_timeout"),
            SigkillTimeout = e.Seconds("sigkill_timeout"),
        };
    }

    private string UniqueName(string name)
    {
        if (_processes.All(p => p.Name != name)) return name;
        for (var i = 2; ; i++)
        {
            var candidate = $"{name}-{i}";
            if (_processes.All(p => p.Name != candidate)) return candidate;
        }
    }

    private static string JoinNamespace(string current, string ns)
    {
        ns = ns.Trim();
        if (ns.Length == 0) return current;
        var joined = ns.StartsWith('/') ? ns : current.TrimEnd('/') + "/" + ns;
        joined = "/" + joined.Trim('/');
        return joined == "/" ? "" : joined;
    }

    /// <summary>What a launch file sees at one point: launch configurations, environment changes, namespace.</summary>
    private sealed class Scope(Dictionary<string, string> configurations, Dictionary<string, string?> environment, string ns)
    {
        public Dictionary<string, string> Configurations { get; } = configurations;
        public Dictionary<string, string?> Environment { get; } = environment;
        public string Namespace { get; set; } = ns;
        public string File { get; set; } = "";

        public Scope Copy(bool forwardConfigurations) =>
            new(forwardConfigurations ? new(Configurations, StringComparer.Ordinal) : new(StringComparer.Ordinal),
                new(Environment, StringComparer.Ordinal), Namespace) { File = File };
    }

    private sealed class SubstitutionContext(Scope scope, LaunchFileLoader loader) : ISubstitutionContext
    {
        public string CurrentFile => scope.File;
        public bool TryGetConfiguration(string name, out string value) => scope.Configurations.TryGetValue(name, out value!);

        public string? GetEnvironmentVariable(string name) =>
            scope.Environment.TryGetValue(name, out var v) ? v : loader._baseEnvironment.GetValueOrDefault(name);

        public string? FindPackageShare(string package) => loader._resolver.FindPackageShare(package);
    }

    /// <summary>A YAML node with its position (for errors): file, line and a path like launch[2].node.param[0].</summary>
    private readonly record struct Located(YamlNode Node, string Path, string File)
    {
        public ConfigException Error(string message) =>
            new($"line {Node.Start.Line}: {(Path.Length == 0 ? "" : Path + ": ")}{message}", File);

        public Located? Child(string key) =>
            Node is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode(key), out var v)
                ? new Located(v, $"{Path}.{key}", File) : null;

        public void CheckKeys(string what, params string[] allowed)
        {
            if (Node is not YamlMappingNode m) return;
            foreach (var key in m.Children.Keys)
            {
                var k = (key as YamlScalarNode)?.Value ?? key.ToString();
                if (!allowed.Contains(k))
                    throw new Located(key, Path, File).Error($"unknown key '{k}' in {what}; allowed: {string.Join(", ", allowed)}");
            }
        }

        public string Evaluate(ISubstitutionContext context)
        {
            if (Node is not YamlScalarNode s) throw Error("expected a single value (a string, number or boolean)");
            try
            {
                return Substitutions.Evaluate(s.Value ?? "", context);
            }
            catch (SubstitutionException e)
            {
                throw Error(e.Message);
            }
        }
    }

    /// <summary>An action (or a list item inside one) being read: strict keys, evaluated values.</summary>
    private sealed class Entity
    {
        public Located At { get; }
        public Scope Scope { get; }
        public ISubstitutionContext Context { get; }
        private readonly LaunchFileLoader _loader;
        private string[] _allowed = [];

        public Entity(Located at, Scope scope, LaunchFileLoader loader)
        {
            At = at;
            Scope = scope;
            _loader = loader;
            Context = new SubstitutionContext(scope, loader);
        }

        private string What => At.Path[(At.Path.LastIndexOf('.') + 1)..];

        /// <summary>Rejects keys other than these (and `if`/`unless` on actions).</summary>
        public void Keys(params string[] allowed)
        {
            var isAction = !At.Path.EndsWith(']');
            _allowed = isAction ? [.. allowed, "if", "unless"] : allowed;
            At.CheckKeys($"'{What}'", _allowed);
        }

        public bool ConditionHolds()
        {
            try
            {
                if (Optional("if") is { } v && !Substitutions.ParseCondition(v)) return false;
                if (Optional("unless") is { } u && Substitutions.ParseCondition(u)) return false;
                return true;
            }
            catch (SubstitutionException e)
            {
                throw At.Error(e.Message);
            }
        }

        public string? Optional(string key)
        {
            var child = At.Child(key);
            if (child is null) return null;
            if (child.Value.Node is not YamlScalarNode) throw child.Value.Error("expected a single value");
            return child.Value.Evaluate(Context);
        }

        public string Required(string key) =>
            Optional(key) ?? throw At.Error($"missing required key '{key}'");

        public bool? Bool(string key)
        {
            var v = Optional(key);
            if (v is null) return null;
            try { return Substitutions.ParseCondition(v); }
            catch (SubstitutionException) { throw At.Child(key)!.Value.Error($"'{key}' is '{v}'; expected true or false"); }
        }

        public TimeSpan? Seconds(string key)
        {
            var v = Optional(key);
            if (v is null) return null;
            if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) || s < 0 || !double.IsFinite(s))
                throw At.Child(key)!.Value.Error($"'{key}' is '{v}'; expected a non-negative number of seconds");
            return TimeSpan.FromSeconds(s);
        }

        public List<string> SplitCommandLine(string key)
        {
            var child = At.Child(key)!.Value;
            if (child.Node is not YamlScalarNode s) throw child.Error("expected a command line string");
            try { return Substitutions.SplitCommandLine(s.Value ?? "", Context); }
            catch (SubstitutionException e) { throw child.Error(e.Message); }
        }

        /// <summary>A list of mappings (param, remap, env, arg, keep, choice); empty when the key is absent.</summary>
        public List<Entity> List(string key)
        {
            var child = At.Child(key);
            if (child is null) return new List<Entity>();
            if (child.Value.Node is not YamlSequenceNode seq) throw child.Value.Error($"expected a list under '{key}'");
            var list = new List<Entity>();
            var i = 0;
            foreach (var item in seq)
            {
                var at = new Located(item, $"{child.Value.Path}[{i++}]", At.File);
                if (item is not YamlMappingNode) throw at.Error("expected a mapping");
                list.Add(new Entity(at, Scope, _loader));
            }
            return list;
        }
    }
}

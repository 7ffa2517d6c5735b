using System.Collections;
using System.Reflection;
using Mlsh.Core.Configuration;
using Mlsh.Core.IO;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;
using YamlDotNet.Serialization.NamingConventions;

namespace Mlsh.Onnx.Manifest;

/// <summary>
/// Reads and writes manifest.yaml. Reading is strict in both directions: an unknown key
/// (<see cref="StrictYaml"/>) and a missing or empty key are <see cref="ConfigException"/>s naming the
/// file, line and key path, then <see cref="ManifestValidator"/> checks the values agree with each
/// other. Writing is atomic. Stateless and thread-safe.
/// </summary>
public static class ManifestYaml
{
    public const string FileName = "manifest.yaml";

    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .WithEventEmitter(next => new FlowScalarListsEmitter(next))
        .Build();

    /// <exception cref="ConfigException">Missing file, bad YAML, unknown/missing key, inconsistent values.</exception>
    public static PolicyManifest Load(string path)
    {
        if (!File.Exists(path)) throw new ConfigException("manifest not found (expected the manifest.yaml written by `mlsh export`)", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <inheritdoc cref="Load"/>
    public static PolicyManifest Parse(string yaml, string sourceName = "<manifest>")
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ConfigException($"line {e.Start.Line}, column {e.Start.Column}: {e.Message.TrimEnd('.')}", sourceName, e);
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ConfigException("expected one YAML document holding a mapping of manifest keys", sourceName);
        // Unknown keys first (StrictYaml names the allowed ones), then the required-key walk.
        var manifest = StrictYaml.Parse<PolicyManifest>(yaml, sourceName);
        RequireKeys(root, typeof(PolicyManifest), "", sourceName);
        ManifestValidator.Validate(manifest, sourceName);
        return manifest;
    }

    /// <summary>The YAML text of <paramref name="manifest"/> (validated first).</summary>
    public static string ToYaml(PolicyManifest manifest)
    {
        ManifestValidator.Validate(manifest, "<manifest being written>");
        return "# Written by `mlsh export`: the deployment contract of the models in this directory.\n" + Serializer.Serialize(manifest);
    }

    /// <summary>Validates and writes atomically (a reader never sees half a manifest).</summary>
    public static void Write(string path, PolicyManifest manifest) => AtomicFile.WriteAllText(path, ToYaml(manifest));

    internal static string KeyOf(PropertyInfo p) =>
        p.GetCustomAttribute<YamlMemberAttribute>()?.Alias ?? UnderscoredNamingConvention.Instance.Apply(p.Name);

    private static void RequireKeys(YamlMappingNode node, Type type, string path, string file)
    {
        var props = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToArray();
        foreach (var p in props)
        {
            var key = KeyOf(p);
            var full = path.Length == 0 ? key : $"{path}.{key}";
            if (!node.Children.TryGetValue(new YamlScalarNode(key), out var value))
                throw new ConfigException(
                    $"line {node.Start.Line}: missing key '{full}'; required keys{(path.Length == 0 ? "" : $" of '{path}'")}: {string.Join(", ", props.Select(KeyOf))}", file);
            if (value is YamlScalarNode { Style: ScalarStyle.Plain } s && (s.Value is null or "" or "~" or "null"))
                throw new ConfigException($"line {value.Start.Line}: key '{full}' has no value", file);

            var t = p.PropertyType;
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>))
            {
                var item = t.GetGenericArguments()[0];
                if (IsRecord(item) && value is YamlSequenceNode seq)
                    for (var i = 0; i < seq.Children.Count; i++)
                        if (seq.Children[i] is YamlMappingNode m) RequireKeys(m, item, $"{full}[{i}]", file);
            }
            else if (IsRecord(t) && value is YamlMappingNode child)
            {
                RequireKeys(child, t, full, file);
            }
        }
    }

    private static bool IsRecord(Type t) => t.IsClass && t != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(t);

    /// <summary>Lists of numbers and names on one line: a joint vector reads as one row.</summary>
    private sealed class FlowScalarListsEmitter(IEventEmitter next) : ChainedEventEmitter(next)
    {
        public override void Emit(SequenceStartEventInfo eventInfo, IEmitter emitter)
        {
            var t = eventInfo.Source.Type;
            if (t.IsGenericType && t.GetGenericArguments()[0] is var e && (e.IsPrimitive || e == typeof(string)))
                eventInfo = new SequenceStartEventInfo(eventInfo.Source) { Style = SequenceStyle.Flow };
            base.Emit(eventInfo, emitter);
        }
    }
}

using System.Reflection;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Mlsh.Core.Configuration;

/// <summary>
/// YAML into typed records with snake_case keys, where an unknown key or a value of the wrong type
/// is an error that names the file, line, key and the allowed keys. Typos in hyperparameters must
/// fail before hours of training, not be silently ignored.
/// </summary>
public static class StrictYaml
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    public static T LoadFile<T>(string path) where T : new()
    {
        if (!System.IO.File.Exists(path)) throw new ConfigException("file not found", path);
        return Parse<T>(System.IO.File.ReadAllText(path), path);
    }

    public static T Parse<T>(string yaml, string sourceName = "<yaml>") where T : new()
    {
        try
        {
            return Deserializer.Deserialize<T>(yaml) ?? new T();
        }
        catch (YamlException e)
        {
            throw new ConfigException(Describe(e, typeof(T)), sourceName, e);
        }
    }

    private static string Describe(YamlException e, Type root)
    {
        var where = $"line {e.Start.Line}, column {e.Start.Column}";
        var inner = e.InnerException?.Message ?? e.Message;
        // YamlDotNet: "Property 'foo' not found on type 'Mlsh.X'."
        const string marker = "Property '";
        var msg = e.Message;
        var i = msg.IndexOf(marker, StringComparison.Ordinal);
        if (i >= 0)
        {
            var j = msg.IndexOf('\'', i + marker.Length);
            var key = msg[(i + marker.Length)..j];
            var typeStart = msg.IndexOf("type '", j, StringComparison.Ordinal);
            var type = typeStart >= 0 ? FindType(root, msg[(typeStart + 6)..msg.IndexOf('\'', typeStart + 6)]) : root;
            return $"{where}: unknown key '{key}'; allowed keys: {string.Join(", ", AllowedKeys(type ?? root))}";
        }
        return $"{where}: {inner.TrimEnd('.')}";
    }

    /// <summary>The snake_case keys a type accepts, for error messages.</summary>
    public static IEnumerable<string> AllowedKeys(Type t) =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
         .Where(p => p.CanWrite)
         .Select(p => p.GetCustomAttribute<YamlMemberAttribute>()?.Alias ?? UnderscoredNamingConvention.Instance.Apply(p.Name))
         .OrderBy(s => s, StringComparer.Ordinal);

    private static Type? FindType(Type root, string fullName)
    {
        var seen = new HashSet<Type>();
        var stack = new Stack<Type>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var t = stack.Pop();
            if (!seen.Add(t)) continue;
            if (t.FullName == fullName) return t;
            foreach (var p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var pt = p.PropertyType;
                if (pt.IsGenericType) foreach (var a in pt.GetGenericArguments()) stack.Push(a);
                if (pt.IsArray) stack.Push(pt.GetElementType()!);
                if (pt.IsClass && pt != typeof(string)) stack.Push(pt);
            }
        }
        return null;
    }
}

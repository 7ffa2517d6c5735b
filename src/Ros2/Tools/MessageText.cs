using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text;
using Mlsh.Ros2.Messages;

namespace Mlsh.Ros2.Tools;

/// <summary>
/// Text form of messages for the `topic` tool: YAML like `ros2 topic echo` prints, and `field.path=value`
/// assignments for `topic pub`. Uses the message's <see cref="RosMessageType"/> field names (snake_case, as in the
/// .msg), matched to the class's properties in declaration order. Reflection-based: tools only, never hot paths.
/// </summary>
public static class MessageText
{
    private static readonly ConcurrentDictionary<Type, (RosField Field, PropertyInfo Property)[]> Maps = new();

    public static string Format(IRosMessage message)
    {
        var sb = new StringBuilder();
        Write(sb, message, 0);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, IRosMessage message, int indent)
    {
        var pad = new string(' ', indent);
        foreach (var (field, property) in Map(message.GetType()))
        {
            var value = property.GetValue(message);
            switch (value)
            {
                case IRosMessage nested:
                    sb.Append(pad).Append(field.Name).Append(":\n");
                    Write(sb, nested, indent + 2);
                    break;
                case IRosMessage[] items:
                    sb.Append(pad).Append(field.Name).Append(items.Length == 0 ? ": []\n" : ":\n");
                    foreach (var item in items)
                    {
                        var inner = new StringBuilder();
                        Write(inner, item, indent + 2);
                        var text = inner.ToString();
                        sb.Append(pad).Append("- ").Append(text.AsSpan(indent + 2));
                    }
                    break;
                case byte[] bytes:
                    sb.Append(pad).Append(field.Name).Append(": [").AppendJoin(", ", bytes).Append("]\n");
                    break;
                case double[] doubles:
                    sb.Append(pad).Append(field.Name).Append(": [").AppendJoin(", ", doubles.Select(Number)).Append("]\n");
                    break;
                case string[] strings:
                    sb.Append(pad).Append(field.Name).Append(": [").AppendJoin(", ", strings.Select(Quote)).Append("]\n");
                    break;
                case string s:
                    sb.Append(pad).Append(field.Name).Append(": ").Append(Quote(s)).Append('\n');
                    break;
                case double d:
                    sb.Append(pad).Append(field.Name).Append(": ").Append(Number(d)).Append('\n');
                    break;
                default:
                    sb.Append(pad).Append(field.Name).Append(": ").Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append('\n');
                    break;
            }
        }
    }

    private static string Number(double d) => d.ToString("R", CultureInfo.InvariantCulture);

    private static string Quote(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// Applies "path=value" (e.g. "header.frame_id=base_link", "data=[1.5, -2]", "name=[hip, knee]", "level=2").
    /// Throws <see cref="ArgumentException"/> naming the path and the expected form.
    /// </summary>
    public static void Assign(IRosMessage message, string assignment)
    {
        var eq = assignment.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0) throw new ArgumentException($"'{assignment}': expected field.path=value, e.g. header.frame_id=base_link");
        var path = assignment[..eq].Trim().Split('.');
        var text = assignment[(eq + 1)..].Trim();
        object target = message;
        for (var i = 0; i < path.Length; i++)
        {
            var (field, property) = Map(target.GetType()).FirstOrDefault(p => p.Field.Name == path[i]);
            if (property == null)
                throw new ArgumentException($"'{assignment}': {target.GetType().Name} has no field '{path[i]}' (fields: {string.Join(", ", Map(target.GetType()).Select(p => p.Field.Name))})");
            if (i < path.Length - 1)
            {
                target = property.GetValue(target) as IRosMessage
                         ?? throw new ArgumentException($"'{assignment}': '{path[i]}' is not a message, it has no sub-fields");
                continue;
            }
            try
            {
                SetValue(target, property, field, text);
            }
            catch (FormatException e)
            {
                throw new ArgumentException($"'{assignment}': {e.Message}", e);
            }
        }
    }

    private static void SetValue(object target, PropertyInfo property, RosField field, string text)
    {
        var type = property.PropertyType;
        object value;
        if (type == typeof(string)) value = Unquote(text);
        else if (type == typeof(double[])) value = List(text).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        else if (type == typeof(string[])) value = List(text).Select(Unquote).ToArray();
        else if (type.IsPrimitive) value = Convert.ChangeType(text, type, CultureInfo.InvariantCulture);
        else throw new FormatException($"field '{field.Name}' of type {type.Name} cannot be set from text");

        if (property.CanWrite) property.SetValue(target, value);
        else if (property.GetValue(target) is double[] fixedArray && value is double[] values)
        {
            if (values.Length != fixedArray.Length) throw new FormatException($"field '{field.Name}' is float64[{fixedArray.Length}], got {values.Length} values");
            values.CopyTo(fixedArray, 0);
        }
        else throw new FormatException($"field '{field.Name}' is read-only");
    }

    private static string[] List(string text)
    {
        var t = text.Trim();
        if (!t.StartsWith('[') || !t.EndsWith(']')) throw new FormatException($"expected a list like [1, 2, 3], got '{text}'");
        var inner = t[1..^1].Trim();
        return inner.Length == 0 ? [] : inner.Split(',').Select(s => s.Trim()).ToArray();
    }

    private static string Unquote(string s) =>
        s.Length >= 2 && (s[0] == '\'' || s[0] == '"') && s[^1] == s[0] ? s[1..^1] : s;

    private static (RosField Field, PropertyInfo Property)[] Map(Type clrType) => Maps.GetOrAdd(clrType, static t =>
    {
        var messageType = (RosMessageType)t.GetProperty("MessageType", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        var properties = t.GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.MetadataToken).ToArray();
        if (properties.Length != messageType.Fields.Count)
            throw new InvalidOperationException($"{t.Name}: {properties.Length} properties for {messageType.Fields.Count} fields of {messageType.RosName}");
        return messageType.Fields.Zip(properties).ToArray();
    });
}

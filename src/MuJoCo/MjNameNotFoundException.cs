namespace Mlsh.MuJoCo;

/// <summary>mj_name2id found no object of the requested type under the requested name.</summary>
public sealed class MjNameNotFoundException : MjException
{
    public MjNameNotFoundException(string modelSource, MjObjectType type, string name, IReadOnlyList<string> known)
        : base("mj_name2id", FormatMessage(modelSource, type, name, known))
    {
        ObjectType = type;
        Name = name;
    }

    public MjObjectType ObjectType { get; }
    public string Name { get; }

    private static string FormatMessage(string source, MjObjectType type, string name, IReadOnlyList<string> known)
    {
        var kind = type.ToString().ToLowerInvariant();
        var list = known.Count == 0 ? "none" : string.Join(", ", known.Take(20)) + (known.Count > 20 ? ", ..." : "");
        return $"model '{source}' has no {kind} named '{name}' (its {kind} names: {list})";
    }
}

namespace Mlsh.Ros2;

/// <summary>ROS 2 name rules (REP-144 subset) and the rmw mapping of ROS topic names to DDS topic names.</summary>
public static class RosNames
{
    /// <summary>rmw prefix of every ROS topic on DDS ("rt/" + fully qualified name without the leading '/').</summary>
    public const string TopicPrefix = "rt";

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="name"/> is a valid node name.</summary>
    public static void ValidateNodeName(string name)
    {
        if (string.IsNullOrEmpty(name) || !IsToken(name))
            throw new ArgumentException($"node name '{name}': expected letters, digits and '_', not starting with a digit (e.g. mlsh_runtime)", nameof(name));
    }

    /// <summary>Returns the namespace in canonical form ("/" or "/a/b"); throws on invalid input.</summary>
    public static string NormalizeNamespace(string? ns)
    {
        if (string.IsNullOrEmpty(ns) || ns == "/") return "/";
        var full = ns.StartsWith('/') ? ns : "/" + ns;
        if (full.EndsWith('/')) full = full[..^1];
        foreach (var token in full[1..].Split('/'))
            if (!IsToken(token))
                throw new ArgumentException($"namespace '{ns}': each part must be letters, digits and '_', not starting with a digit", nameof(ns));
        return full;
    }

    /// <summary>
    /// Resolves a topic name against a node: "/x" stays, "x" becomes "&lt;ns&gt;/x", "~/x" becomes
    /// "&lt;ns&gt;/&lt;node&gt;/x". Throws with the offending name when it is not a valid ROS name.
    /// </summary>
    public static string ResolveTopic(string topic, string nodeNamespace, string nodeName)
    {
        if (string.IsNullOrEmpty(topic)) throw new ArgumentException("topic name is empty", nameof(topic));
        string full;
        if (topic.StartsWith("~/", StringComparison.Ordinal) || topic == "~")
            full = Join(Join(nodeNamespace, nodeName), topic.Length > 2 ? topic[2..] : "");
        else if (topic.StartsWith('/'))
            full = topic;
        else
            full = Join(nodeNamespace, topic);
        if (full.Length > 1 && full.EndsWith('/')) full = full[..^1];
        if (full == "/" || full.Contains("//", StringComparison.Ordinal))
            throw new ArgumentException($"topic name '{topic}': empty name part", nameof(topic));
        foreach (var token in full[1..].Split('/'))
            if (!IsToken(token))
                throw new ArgumentException($"topic name '{topic}': each part must be letters, digits and '_', not starting with a digit", nameof(topic));
        return full;
    }

    /// <summary>"/joint_states" → "rt/joint_states".</summary>
    public static string ToDdsTopic(string fullyQualifiedTopic) => TopicPrefix + fullyQualifiedTopic;

    /// <summary>"rt/joint_states" → "/joint_states"; null when the DDS topic is not a ROS topic.</summary>
    public static string? FromDdsTopic(string ddsTopic) =>
        ddsTopic.StartsWith(TopicPrefix + "/", StringComparison.Ordinal) ? ddsTopic[TopicPrefix.Length..] : null;

    private static string Join(string ns, string name) => ns == "/" ? "/" + name : ns + "/" + name;

    private static bool IsToken(string s)
    {
        if (s.Length == 0 || char.IsAsciiDigit(s[0])) return false;
        foreach (var c in s)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_')) return false;
        return true;
    }
}

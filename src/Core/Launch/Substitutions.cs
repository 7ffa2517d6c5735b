using System.Text;

namespace Mlsh.Core.Launch;

/// <summary>What a substitution may read while a launch file is evaluated.</summary>
internal interface ISubstitutionContext
{
    /// <summary>Absolute path of the launch file being evaluated.</summary>
    string CurrentFile { get; }

    bool TryGetConfiguration(string name, out string value);

    /// <summary>The environment as the launch sees it at this point (the launcher's, plus set_env/unset_env).</summary>
    string? GetEnvironmentVariable(string name);

    /// <summary>The share directory of a package, or null when it is not available here.</summary>
    string? FindPackageShare(string package);
}

/// <summary>A substitution could not be evaluated; the loader adds file, line and key.</summary>
internal sealed class SubstitutionException(string message) : Exception(message);

/// <summary>
/// Evaluates ROS 2 launch substitutions in a string: `$(var name)`, `$(env NAME [default])`,
/// `$(optenv NAME [default])`, `$(find-pkg-share pkg)`, `$(dirname)`, `$(filename)`.
/// Arguments are separated by spaces, may be quoted ('a b' or "a b") and may themselves contain
/// substitutions (`$(find-pkg-share $(var pkg))`).
/// </summary>
internal static class Substitutions
{
    public const string Supported = "var, env, optenv, find-pkg-share, dirname, filename";

    public static string Evaluate(string text, ISubstitutionContext context)
    {
        if (!text.Contains("$(", StringComparison.Ordinal)) return text;
        var pos = 0;
        var result = ParseText(text, ref pos, context, insideArgument: false);
        return result;
    }

    /// <summary>Splits a command line like a POSIX shell's word splitting (quotes group, backslash escapes)
    /// while keeping each `$(...)` inside the word it belongs to, then evaluates each word. A substitution's
    /// value is never split, as in ROS 2.</summary>
    public static List<string> SplitCommandLine(string text, ISubstitutionContext context)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord) { words.Add(current.ToString()); current.Clear(); inWord = false; }
                continue;
            }
            inWord = true;
            if (c == '$' && i + 1 < text.Length && text[i + 1] == '(')
            {
                var start = i;
                i += 2;
                SkipToClose(text, ref i);
                current.Append(Evaluate(text[start..(i + 1)], context));
            }
            else if (c is '\'' or '"')
            {
                var close = text.IndexOf(c, i + 1);
                if (close < 0) throw new SubstitutionException($"unterminated {c} quote in '{text}'");
                current.Append(Evaluate(text[(i + 1)..close], context));
                i = close;
            }
            else if (c == '\\' && i + 1 < text.Length)
            {
                current.Append(text[++i]);
            }
            else
            {
                current.Append(c);
            }
        }
        if (inWord) words.Add(current.ToString());
        return words;
    }

    private static void SkipToClose(string text, ref int i)
    {
        var depth = 1;
        for (; i < text.Length; i++)
        {
            if (text[i] == '(' && i > 0 && text[i - 1] == '$') depth++;
            else if (text[i] == ')' && --depth == 0) return;
        }
        throw new SubstitutionException($"unterminated '$(' in '{text}'");
    }

    private static string ParseText(string text, ref int pos, ISubstitutionContext context, bool insideArgument)
    {
        var sb = new StringBuilder();
        while (pos < text.Length)
        {
            var c = text[pos];
            if (c == '$' && pos + 1 < text.Length && text[pos + 1] == '(')
            {
                pos += 2;
                sb.Append(ParseSubstitution(text, ref pos, context));
                continue;
            }
            if (insideArgument && (char.IsWhiteSpace(c) || c == ')')) break;
            if (insideArgument && c is '\'' or '"')
            {
                var close = text.IndexOf(c, pos + 1);
                if (close < 0) throw new SubstitutionException($"unterminated {c} quote in '{text}'");
                var inner = text[(pos + 1)..close];
                sb.Append(Evaluate(inner, context));
                pos = close + 1;
                continue;
            }
            sb.Append(c);
            pos++;
        }
        return sb.ToString();
    }

    private static string ParseSubstitution(string text, ref int pos, ISubstitutionContext context)
    {
        var start = pos;
        while (pos < text.Length && (char.IsLetterOrDigit(text[pos]) || text[pos] is '-' or '_')) pos++;
        var name = text[start..pos];
        var args = new List<string>();
        while (true)
        {
            while (pos < text.Length && char.IsWhiteSpace(text[pos])) pos++;
            if (pos >= text.Length) throw new SubstitutionException($"unterminated '$({name}' in '{text}'");
            if (text[pos] == ')') { pos++; break; }
            args.Add(ParseText(text, ref pos, context, insideArgument: true));
        }
        return Apply(name, args, context);
    }

    private static string Apply(string name, List<string> args, ISubstitutionContext context)
    {
        switch (name)
        {
            case "var":
                Arity(name, args, 1, 1);
                if (!context.TryGetConfiguration(args[0], out var value))
                    throw new SubstitutionException($"$(var {args[0]}): no launch argument or let named '{args[0]}' is set at this point");
                return value;
            case "env":
            case "optenv":
                Arity(name, args, 1, 2);
                var env = context.GetEnvironmentVariable(args[0]);
                if (env is not null) return env;
                if (args.Count == 2) return args[1];
                if (name == "optenv") return "";
                throw new SubstitutionException($"$(env {args[0]}): environment variable {args[0]} is not set (give a default: $(env {args[0]} <default>), or use optenv)");
            case "find-pkg-share":
                Arity(name, args, 1, 1);
                return context.FindPackageShare(args[0])
                       ?? throw new SubstitutionException($"$(find-pkg-share {args[0]}): package '{args[0]}' is not available without ROS 2 (./mlsh launch knows only mlsh_bringup)");
            case "dirname":
                Arity(name, args, 0, 0);
                return Path.GetDirectoryName(context.CurrentFile)!;
            case "filename":
                Arity(name, args, 0, 0);
                return Path.GetFileName(context.CurrentFile);
            default:
                throw new SubstitutionException($"unsupported substitution '$({name} ...)'; supported: {Supported}");
        }
    }

    private static void Arity(string name, List<string> args, int min, int max)
    {
        if (args.Count < min || args.Count > max)
            throw new SubstitutionException(min == max
                ? $"$({name}) takes {min} argument{(min == 1 ? "" : "s")}, got {args.Count}"
                : $"$({name}) takes {min} to {max} arguments, got {args.Count}");
    }

    /// <summary>ROS 2 condition values (`if:` / `unless:`): true/1 or false/0, case-insensitive.</summary>
    public static bool ParseCondition(string value) => value.Trim().ToLowerInvariant() switch
    {
        "true" or "1" => true,
        "false" or "0" => false,
        _ => throw new SubstitutionException($"condition value '{value}' is not a boolean (expected true, false, 1 or 0)"),
    };
}

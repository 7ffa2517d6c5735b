using System.Text.Json;

namespace Mlsh.Cli;

/// <summary>`--json` verbs end with exactly one JSON object on the last line of stdout.</summary>
public static class JsonOut
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = false };

    public static void WriteLastLine(object summary)
    {
        Console.Out.Flush();
        Console.WriteLine(JsonSerializer.Serialize(summary, summary.GetType(), Options));
    }
}

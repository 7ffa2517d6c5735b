using System.CommandLine;
using Mlsh.Core.Configuration;
using Mlsh.Trainer.Mlsh;

namespace Mlsh.Cli.Verbs;

/// <summary>`mlsh mirror --models DIR --out DIR [--subpolicies 0,2] [--json]`.</summary>
public sealed class MirrorVerb : IVerb
{
    public Command Build()
    {
        var models = new Option<string>("--models") { Description = "Models directory (train/retune output) whose sub-policies to mirror.", Required = true };
        var output = new Option<string>("--out") { Description = "Models directory to write: the sub-policies, then their mirror images (no master: retune one).", Required = true };
        var which = new Option<string?>("--subpolicies") { Description = "Comma-separated sub-policy indices to mirror (default: all)." };
        var json = new Option<bool>("--json") { Description = "End with one JSON summary line." };
        var cmd = new Command("mirror", "Add the left/right mirror image of sub-policies (a left turn becomes a right turn) for a symmetric robot.")
        {
            models, output, which, json,
        };
        cmd.SetAction(parse =>
        {
            var list = parse.GetValue(which) is { } text ? ParseIndices(text) : null;
            var result = SkillMirroring.Write(parse.GetValue(models)!, parse.GetValue(output)!, list);
            var originals = result.Subpolicies - result.MirrorOf.Count;
            for (var m = 0; m < result.MirrorOf.Count; m++)
                Console.WriteLine($"sub-policy {originals + m} = mirror image of sub-policy {result.MirrorOf[m]}");
            Console.WriteLine($"wrote {result.Subpolicies} sub-policies to {result.OutDirectory}; learn a master for them with: ./mlsh retune --subpolicies {result.OutDirectory} --layout <layout.yaml> --out <dir>");
            if (parse.GetValue(json))
                JsonOut.WriteLastLine(new Dictionary<string, object>
                {
                    ["out"] = result.OutDirectory,
                    ["subpolicies"] = result.Subpolicies,
                    ["mirror_of"] = result.MirrorOf,
                });
            return 0;
        });
        return cmd;
    }

    private static int[] ParseIndices(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var result = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], out result[i]))
                throw new ConfigException($"--subpolicies: '{parts[i]}' is not a sub-policy index; expected e.g. 0,2");
        return result;
    }
}

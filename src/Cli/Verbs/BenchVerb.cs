using System.CommandLine;

namespace Mlsh.Cli.Verbs;

public sealed class BenchVerb : IVerb
{
    public Command Build()
    {
        var bench = new Command("bench", "Measure a hot path against a reference run in the same invocation.");
        var benches = typeof(BenchVerb).Assembly.GetTypes()
            .Where(t => typeof(IBench).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (IBench)Activator.CreateInstance(t)!)
            .OrderBy(b => b.Name, StringComparer.Ordinal);
        foreach (var b in benches)
        {
            var json = new Option<bool>("--json") { Description = "End with one JSON object on the last line." };
            var cmd = new Command(b.Name, b.Description) { json };
            foreach (var o in b.Options) cmd.Options.Add(o);
            cmd.SetAction(p => b.Run(p, p.GetValue(json)));
            bench.Subcommands.Add(cmd);
        }
        return bench;
    }
}

using System.CommandLine;
using System.Reflection;
using Mlsh.Core.Configuration;
using Mlsh.NeuralNets.Serialization;

namespace Mlsh.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("Mlsh: learn reusable quadruped skills with MLSH and deploy them over ROS 2.");
        // `test` is run by the ./mlsh script itself (it rebuilds this program); listed here for --help.
        var test = new Command("test", "Run every test (handled by the ./mlsh script).");
        test.SetAction(_ => { Console.Error.WriteLine("run tests with ./mlsh test"); return 2; });
        root.Subcommands.Add(test);
        foreach (var verb in DiscoverVerbs()) root.Subcommands.Add(verb.Build());
        try
        {
            // DESIGN: the default handler prints a stack trace for every exception; a bad configuration or a
            // damaged network file is the user's to fix and deserves one line, so exceptions reach the catch
            // below (one place for every verb, rather than a try/catch per verb).
            return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is ConfigException or PolicyFileException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    private static IEnumerable<IVerb> DiscoverVerbs() =>
        typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IVerb).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => (IVerb)Activator.CreateInstance(t)!);
}

using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;
using Mlsh.Core;
using Mlsh.Core.Configuration;
using Mlsh.Core.Launch;

namespace Mlsh.Cli.Verbs;

/// <summary>`./mlsh launch launch/demo.launch.yaml [name:=value ...]`: runs a ROS 2 YAML launch file's nodes.</summary>
public sealed class LaunchVerb : IVerb
{
    public Command Build()
    {
        var tokens = new Argument<string[]>("file-and-arguments")
        {
            Description = "A launch file (or `mlsh_bringup <file>`), then launch arguments as name:=value.",
            Arity = ArgumentArity.OneOrMore,
        };
        var print = new Option<bool>("--print") { Description = "Print the resolved processes and exit without starting them." };
        var sigterm = new Option<double>("--sigterm-timeout")
        {
            Description = "Seconds from SIGINT to SIGTERM when stopping (a process's sigterm_timeout wins).",
            DefaultValueFactory = _ => 5.0,
        };
        var sigkill = new Option<double>("--sigkill-timeout")
        {
            Description = "Seconds from SIGTERM to SIGKILL when stopping (a process's sigkill_timeout wins).",
            DefaultValueFactory = _ => 5.0,
        };
        var cmd = new Command("launch",
            "Start the nodes of a ROS 2 YAML launch file (mlsh_bringup's mlsh_sim / mlsh_runtime run this CLI's sim / run), " +
            "prefix their output, stop them all on Ctrl-C or when one exits, and report which failed.")
        {
            tokens, print, sigterm, sigkill,
        };
        cmd.SetAction(parse =>
        {
            // System.CommandLine's default exception handler would print a stack trace before Program.cs sees
            // the exception, so a bad launch file is reported here in the same `error: ...` / exit 2 form.
            try
            {
                return Run(parse);
            }
            catch (ConfigException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
        });
        return cmd;

        int Run(ParseResult parse)
        {
            var line = LaunchCommandLine.Parse(parse.GetValue(tokens)!, MlshPaths.Root);
            var resolver = new MlshBringupResolver(MlshPaths.Root, CurrentCli());
            var plan = new LaunchFileLoader(resolver).Load(line.File, line.Arguments);
            if (parse.GetValue(print))
            {
                foreach (var p in plan.Processes)
                    Console.WriteLine($"{p.Name} ({p.Kind.ToString().ToLowerInvariant()}{(p.Required ? ", required" : "")}): {p.Describe()}");
                return 0;
            }

            var options = new LaunchOptions
            {
                SigtermTimeout = Seconds(parse.GetValue(sigterm), "--sigterm-timeout"),
                SigkillTimeout = Seconds(parse.GetValue(sigkill), "--sigkill-timeout"),
                Colour = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null,
            };
            using var stop = new CancellationTokenSource();
            // Ctrl-C reaches only the launcher (the nodes have their own process groups); the launcher forwards it.
            using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            return new Launcher(plan, options).RunAsync(stop.Token).GetAwaiter().GetResult().ExitCode;

            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                stop.Cancel();
            }
        }
    }

    private static TimeSpan Seconds(double value, string option) =>
        value >= 0 && double.IsFinite(value)
            ? TimeSpan.FromSeconds(value)
            : throw new ConfigException($"{option} is {value}; expected a non-negative number of seconds");

    /// <summary>How to start this CLI again: the apphost, or `dotnet mlsh.dll`.</summary>
    /// <remarks>DESIGN: nodes re-run the already built CLI rather than ./mlsh, whose build check would make two
    /// nodes race to rebuild the same artifacts when they start together.</remarks>
    private static string[] CurrentCli()
    {
        var host = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(host) == "dotnet"
            ? [host, Assembly.GetEntryAssembly()!.Location]
            : [host];
    }
}

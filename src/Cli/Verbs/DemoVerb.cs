using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;
using Mlsh.Core;
using Mlsh.Core.Configuration;
using Mlsh.Hil.Demo;

namespace Mlsh.Cli.Verbs;

/// <summary>
/// `./mlsh demo`: the SimBridge and the Runtime as two processes over ROS 2 with the shipped models, the quadruped
/// walking a maze; ends with a summary and writes out/demo/trajectory.svg and out/demo/report.json
/// (logic in Mlsh.Hil.Demo.DemoRunner). Without exported models it runs the scripted trot instead and says so.
/// </summary>
public sealed class DemoVerb : IVerb
{
    public Command Build()
    {
        var layout = new Option<string>("--layout") { Description = "Layout YAML file (default: layouts/train/maze-01.yaml)." };
        var models = new Option<string>("--models") { Description = "Exported model folder (default: models/quadruped)." };
        var realtime = new Option<bool>("--realtime") { Description = "Run the simulator in real time instead of lockstep (fast, deterministic)." };
        var timeLimit = new Option<double>("--time-limit") { Description = "Simulated seconds before giving up on the goal.", DefaultValueFactory = _ => 60.0 };
        var controller = new Option<string>("--controller")
        {
            Description = "policy (Runtime node with the ONNX models), scripted (in-process scripted trot, no models), or auto: policy when the models folder has a manifest.yaml.",
            DefaultValueFactory = _ => "auto",
        };
        controller.AcceptOnlyFromAmong("auto", "policy", "scripted");
        var seed = new Option<ulong>("--seed") { Description = "Reset-noise seed (scripted run).", DefaultValueFactory = _ => 0UL };
        var output = new Option<string>("--out") { Description = "Output folder (default: out/demo)." };
        var json = new Option<bool>("--json") { Description = "End with report.json's content on one line." };
        var cmd = new Command("demo", "Walk the quadruped through a maze: SimBridge + Runtime as ROS 2 nodes, then a summary, out/demo/trajectory.svg and out/demo/report.json.")
        {
            layout, models, realtime, timeLimit, controller, seed, output, json,
        };
        cmd.SetAction(parse =>
        {
            var root = MlshPaths.Root;
            var layoutPath = parse.GetValue(layout) is { Length: > 0 } l ? Path.GetFullPath(l) : Path.Combine(MlshPaths.Layouts, "train", "maze-01.yaml");
            if (!File.Exists(layoutPath)) throw new ConfigException($"--layout: file '{layoutPath}' not found (try layouts/train/maze-01.yaml)");
            var modelsDir = parse.GetValue(models) is { Length: > 0 } m ? Path.GetFullPath(m) : Path.Combine(MlshPaths.Models, "quadruped");
            var limit = parse.GetValue(timeLimit);
            if (!double.IsFinite(limit) || limit <= 0 || limit > 3600) throw new ConfigException($"--time-limit is {limit}; expected simulated seconds in (0, 3600]");
            var choice = parse.GetValue(controller);
            var hasModels = File.Exists(Path.Combine(modelsDir, "manifest.yaml"));
            if (choice == "policy" && !hasModels)
                throw new ConfigException($"--controller policy: no manifest.yaml in {modelsDir}; export models with `./mlsh export` or use --controller scripted");
            var mode = choice == "scripted" || (choice == "auto" && !hasModels) ? DemoController.Scripted : DemoController.Policy;
            if (choice == "auto" && !hasModels)
                Console.Error.WriteLine($"[demo] no exported models in {Path.GetRelativePath(root, modelsDir)} (manifest.yaml missing): running the scripted trot instead of the policy");

            using var stop = new CancellationTokenSource();
            using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
            var result = DemoRunner.Run(new DemoOptions
            {
                RepositoryRoot = root,
                LayoutPath = layoutPath,
                ModelsDir = modelsDir,
                CliCommand = CurrentCli(),
                Controller = mode,
                Lockstep = !parse.GetValue(realtime),
                TimeLimitS = limit,
                DomainId = DomainFromEnvironment(),
                OutputDirectory = parse.GetValue(output) is { Length: > 0 } o ? Path.GetFullPath(o) : Path.Combine(root, "out", "demo"),
                Seed = parse.GetValue(seed),
            }, stop.Token);
            Console.Write(DemoRunner.Summary(result));
            if (parse.GetValue(json)) JsonOut.WriteLastLine(result);
            return result.ExitCode;
        });
        return cmd;
    }

    /// <summary>ROS_DOMAIN_ID as ROS 2 reads it (default 0), so `ros2 topic echo` on this machine sees the demo.</summary>
    private static uint DomainFromEnvironment() =>
        uint.TryParse(Environment.GetEnvironmentVariable("ROS_DOMAIN_ID"), out var d) ? d : 0;

    /// <summary>How to start this CLI again for the nodes: the apphost, or `dotnet mlsh.dll`.</summary>
    internal static string[] CurrentCli()
    {
        var host = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(host) == "dotnet" ? [host, Assembly.GetEntryAssembly()!.Location] : [host];
    }
}

using System.CommandLine;
using Mlsh.Runtime;
using Mlsh.Runtime.Configuration;

namespace Mlsh.Cli.Verbs;

/// <summary>`./mlsh run`: the real-time runtime node /mlsh_runtime (Mlsh.Runtime.RuntimeNode).</summary>
public sealed class RunVerb : IVerb
{
    private const string Help =
        "Run the exported MLSH hierarchy on a robot as the ROS 2 node /mlsh_runtime: subscribes /joint_states, /imu/data, " +
        "/odom (and /clock with use_sim_time), publishes /effort_controller/commands every control cycle, /mlsh/active_skill " +
        "and /diagnostics; operator commands (JSON {\"command\":...}: estop, resume, force_skill, release_skill, load_master, " +
        "shadow_master, certify_master; see docs/handover.md) on /mlsh/command and MQTT <prefix>/cmd, outcomes on MQTT <prefix>/events. " +
        "`./mlsh handover` certifies a new master (shadow, simulated episodes, certify). Parameters: ROS 2 parameter files (mlsh_runtime: ros__parameters:), see launch/params/runtime.yaml. " +
        "Unknown parameters or a model manifest that disagrees with them stop start-up (exit 2).";

    public Command Build()
    {
        var cmd = new Command("run", Help);
        var node = new RosNodeCommandLine(cmd, RuntimeParameters.NodeName, "runtime.yaml");
        var models = new Option<string?>("--models") { Description = "Exported models directory; overrides models_dir." };
        var seconds = new Option<double>("--seconds") { Description = "Stop after this many seconds (0 = until Ctrl-C / SIGTERM)." };
        cmd.Options.Add(models);
        cmd.Options.Add(seconds);
        cmd.SetAction(parse =>
        {
            if (node.Parse(parse, "--models, --seconds, ") is not { } parsed) return 2;
            var (rosParams, options, _) = parsed;
            var p = RuntimeParameters.FromRos(rosParams, parse.GetValue(models));
            using var runtime = new RuntimeNode(p, options, rosParams.NodeName, Console.Out);
            using var stop = RosNodeCommandLine.OnSignals(parse.GetValue(seconds) is > 0 and var s ? TimeSpan.FromSeconds(s) : null);
            Console.Out.WriteLine($"[{runtime.Node.FullyQualifiedName}] models {p.ModelsDir} ({runtime.Bundle.SubPolicies.Count} sub-policies), " +
                                  $"commands on {p.CommandTopic}, operator commands on {p.OperatorCommandTopic}" +
                                  (p.Mqtt.Enabled ? $", MQTT {p.Mqtt.Host}:{p.Mqtt.Port} as {p.Mqtt.User} ({p.Mqtt.TopicPrefix}/...)" : ", MQTT off"));
            var exit = runtime.Run(stop.Token);
            var status = runtime.Controller.Status.Read();
            var t = runtime.Timing;
            Console.Out.WriteLine($"[{runtime.Node.FullyQualifiedName}] stopped after {status.Cycle} cycles: mode {status.Mode}, faults seen {status.FaultHistory}, " +
                                  $"safe-mode entries {status.SafeModeEntries}, master ticks {status.MasterTicks}, deadline misses {t?.DeadlineMisses ?? 0}");
            return exit;
        });
        return cmd;
    }
}

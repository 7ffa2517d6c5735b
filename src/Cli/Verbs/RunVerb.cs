using System.CommandLine;
using System.Runtime.InteropServices;
using Mlsh.Core.Launch;
using Mlsh.Ros2;
using Mlsh.Runtime;
using Mlsh.Runtime.Configuration;

namespace Mlsh.Cli.Verbs;

/// <summary>`./mlsh run`: the real-time runtime node /mlsh_runtime (Mlsh.Runtime.RuntimeNode).</summary>
public sealed class RunVerb : IVerb
{
    private const string Help =
        "Run the exported MLSH hierarchy on a robot as the ROS 2 node /mlsh_runtime: subscribes /joint_states, /imu/data, " +
        "/odom (and /clock with use_sim_time), publishes /effort_controller/commands every control cycle, /mlsh/active_skill " +
        "and /diagnostics; operator commands (JSON: estop, resume, load_master, force_skill, release_skill) on /mlsh/command " +
        "and MQTT. Parameters: ROS 2 parameter files (mlsh_runtime: ros__parameters:), see launch/params/runtime.yaml. " +
        "Unknown parameters or a model manifest that disagrees with them stop start-up (exit 2).";

    public Command Build()
    {
        var cmd = new Command("run", Help) { TreatUnmatchedTokensAsErrors = false };
        var paramsFiles = new Option<string[]>("--params") { Description = "ROS 2 parameter file (repeatable; later files win). Default: launch/params/runtime.yaml." };
        var models = new Option<string?>("--models") { Description = "Exported models directory; overrides models_dir." };
        var domain = new Option<uint?>("--domain") { Description = "DDS domain id (default: ROS_DOMAIN_ID, or 0)." };
        var loopback = new Option<bool>("--loopback") { Description = "Discover and talk on 127.0.0.1 only." };
        var seconds = new Option<double>("--seconds") { Description = "Stop after this many seconds (0 = until Ctrl-C / SIGTERM)." };
        cmd.Options.Add(paramsFiles);
        cmd.Options.Add(models);
        cmd.Options.Add(domain);
        cmd.Options.Add(loopback);
        cmd.Options.Add(seconds);
        cmd.SetAction(parse =>
        {
            var (own, ros) = RosArguments.Split(parse.UnmatchedTokens);
            if (own.Count > 0)
            {
                Console.Error.WriteLine($"error: run: unexpected argument '{own[0]}' (node arguments: --params, --models, --domain, --loopback, --seconds, then --ros-args ...)");
                return 2;
            }
            var files = parse.GetValue(paramsFiles) is { Length: > 0 } given
                ? given
                : [Path.Combine(Core.MlshPaths.Root, "launch", "params", "runtime.yaml")];
            var rosParams = RosNodeParameters.Load(RuntimeParameters.NodeName, files, ros);
            var p = RuntimeParameters.FromRos(rosParams, parse.GetValue(models));
            var options = new RosNodeOptions
            {
                Namespace = rosParams.Namespace,
                DomainId = parse.GetValue(domain),
                CycloneConfigXml = parse.GetValue(loopback) ? CycloneConfig.LoopbackOnly() : null,
            };
            using var node = new RuntimeNode(p, options, rosParams.NodeName, Console.Out);
            using var stop = parse.GetValue(seconds) is > 0 and var s ? new CancellationTokenSource(TimeSpan.FromSeconds(s)) : new CancellationTokenSource();
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            Console.Out.WriteLine($"[{node.Node.FullyQualifiedName}] models {p.ModelsDir} ({node.Bundle.SubPolicies.Count} sub-policies), " +
                                  $"commands on {p.CommandTopic}, operator commands on {p.OperatorCommandTopic}" +
                                  (p.Mqtt.Enabled ? $", MQTT {p.Mqtt.Host}:{p.Mqtt.Port} as {p.Mqtt.User} ({p.Mqtt.TopicPrefix}/...)" : ", MQTT off"));
            var exit = node.Run(stop.Token);
            var status = node.Controller.Status.Read();
            var t = node.Timing;
            Console.Out.WriteLine($"[{node.Node.FullyQualifiedName}] stopped after {status.Cycle} cycles: mode {status.Mode}, faults seen {status.FaultHistory}, " +
                                  $"safe-mode entries {status.SafeModeEntries}, master ticks {status.MasterTicks}, deadline misses {t?.DeadlineMisses ?? 0}");
            return exit;
        });
        return cmd;
    }
}

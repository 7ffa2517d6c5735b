using System.CommandLine;
using System.Runtime.InteropServices;
using Mlsh.Core.Launch;
using Mlsh.Ros2;
using Mlsh.SimBridge;
using Mlsh.SimBridge.Configuration;

namespace Mlsh.Cli.Verbs;

/// <summary>`./mlsh sim`: the MuJoCo quadruped as the ROS 2 node /mlsh_sim (Mlsh.SimBridge.SimBridgeNode).</summary>
public sealed class SimVerb : IVerb
{
    private const string Help =
        "Run the MuJoCo quadruped as the ROS 2 node /mlsh_sim. Publishes /joint_states (sensor_msgs/JointState), " +
        "/imu/data (sensor_msgs/Imu, frame imu_link), /odom (nav_msgs/Odometry, odom -> base_link), /clock " +
        "(rosgraph_msgs/Clock, simulated time) and /diagnostics (~1 Hz). Subscribes /effort_controller/commands and " +
        "/position_controller/commands (std_msgs/Float64MultiArray, one value per joint in robot order; wrong size or " +
        "NaN/Inf -> dropped and counted) and /mlsh_sim/reset (std_msgs/String: empty = reset the episode, a layout " +
        "name such as dead-end or a path = load that layout and reset). Without a command for command_timeout_s the " +
        "joints hold safe (zero torque plus damping). timing_mode realtime paces physics to the wall clock; lockstep " +
        "publishes state, waits for one command, then advances `decimation` physics steps. Parameters: ROS 2 " +
        "parameter files (mlsh_sim: ros__parameters:), see launch/params/sim.yaml. Trailing --ros-args " +
        "(-r __node:=, -r from:=to, -p name:=value, --params-file) are accepted.";

    public Command Build()
    {
        var cmd = new Command("sim", Help) { TreatUnmatchedTokensAsErrors = false };
        var paramsFiles = new Option<string[]>("--params")
        {
            Description = "ROS 2 parameter file (repeatable; later files win). Default: launch/params/sim.yaml when no file is given.",
            AllowMultipleArgumentsPerToken = false,
        };
        var layout = new Option<string?>("--layout") { Description = "Maze layout file or shipped layout name; overrides the 'layout' parameter." };
        var domain = new Option<uint?>("--domain") { Description = "DDS domain id (default: ROS_DOMAIN_ID, or 0)." };
        var loopback = new Option<bool>("--loopback") { Description = "Discover and talk on 127.0.0.1 only." };
        cmd.Options.Add(paramsFiles);
        cmd.Options.Add(layout);
        cmd.Options.Add(domain);
        cmd.Options.Add(loopback);
        cmd.SetAction(parse =>
        {
            var (own, ros) = RosArguments.Split(parse.UnmatchedTokens);
            if (own.Count > 0)
            {
                Console.Error.WriteLine($"error: sim: unexpected argument '{own[0]}' (node arguments: --params, --layout, --domain, --loopback, then --ros-args ...)");
                return 2;
            }
            var files = parse.GetValue(paramsFiles) is { Length: > 0 } given
                ? given
                : [Path.Combine(Core.MlshPaths.Root, "launch", "params", "sim.yaml")];
            var parameters = RosNodeParameters.Load(SimBridgeOptions.DefaultNodeName, files, ros);
            var options = SimBridgeOptions.FromParameters(parameters, ros, parse.GetValue(layout));
            var nodeOptions = new RosNodeOptions
            {
                Namespace = parameters.Namespace,
                DomainId = parse.GetValue(domain),
                CycloneConfigXml = parse.GetValue(loopback) ? CycloneConfig.LoopbackOnly() : null,
            };
            using var bridge = new SimBridgeNode(options, nodeOptions, parameters.NodeName);
            using var stop = new CancellationTokenSource();
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            var mode = options.TimingMode == TimingMode.Lockstep ? "lockstep" : "realtime";
            Console.Out.WriteLine($"[{bridge.Node.FullyQualifiedName}] {mode} on domain {bridge.Node.DomainId}: robot {options.Robot}, " +
                                  $"layout {bridge.Robot.Layout.Name}, physics {options.PhysicsRateHz} Hz; commands on {options.EffortCommandTopic} / " +
                                  $"{options.PositionCommandTopic}, reset on {options.ResetTopic}");
            bridge.Run(stop.Token);
            Console.Out.WriteLine($"[{bridge.Node.FullyQualifiedName}] stopped at sim time {bridge.SimTimeNs / 1e9:F3} s");
            return 0;
        });
        return cmd;
    }
}

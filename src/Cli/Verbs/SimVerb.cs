using System.CommandLine;
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
        var cmd = new Command("sim", Help);
        var node = new RosNodeCommandLine(cmd, SimBridgeOptions.DefaultNodeName, "sim.yaml");
        var layout = new Option<string?>("--layout") { Description = "Maze layout file or shipped layout name; overrides the 'layout' parameter." };
        cmd.Options.Add(layout);
        cmd.SetAction(parse =>
        {
            if (node.Parse(parse, "--layout, ") is not { } parsed) return 2;
            var (parameters, nodeOptions, ros) = parsed;
            var options = SimBridgeOptions.FromParameters(parameters, ros, parse.GetValue(layout));
            using var bridge = new SimBridgeNode(options, nodeOptions, parameters.NodeName);
            using var stop = RosNodeCommandLine.OnSignals();
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

using System.CommandLine;
using Mlsh.Ros2;
using Mlsh.Ros2.Qos;
using Mlsh.Ros2.Tools;

namespace Mlsh.Cli.Verbs;

/// <summary>
/// `./mlsh topic list|echo|pub|hz`: inspect and drive ROS 2 topics like `ros2 topic`, over Cyclone DDS.
/// Also `topic pong`, the peer of `./mlsh bench dds`. The work is done by Mlsh.Ros2.Tools.TopicTool.
/// </summary>
public sealed class TopicVerb : IVerb
{
    public Command Build()
    {
        var topic = new Command("topic", "Inspect and drive ROS 2 topics (like `ros2 topic`) over Cyclone DDS.");
        topic.Subcommands.Add(List());
        topic.Subcommands.Add(Echo());
        topic.Subcommands.Add(Pub());
        topic.Subcommands.Add(Hz());
        topic.Subcommands.Add(Pong());
        return topic;
    }

    private static Option<uint?> DomainOption() => new("--domain") { Description = "DDS domain id (default: ROS_DOMAIN_ID, or 0)." };

    private static Option<bool> LoopbackOption() => new("--loopback") { Description = "Discover and talk on 127.0.0.1 only." };

    private static Option<string> QosOption(string fallback) => new("--qos")
    {
        Description = "QoS profile: sensor (best effort, keep last 5) or commands (reliable, keep last 10).",
        DefaultValueFactory = _ => fallback,
    };

    private static Command WithCommon(Command cmd, Option<uint?> domain, Option<bool> loopback)
    {
        cmd.Options.Add(domain);
        cmd.Options.Add(loopback);
        return cmd;
    }

    private static RosNode Node(ParseResult p, Option<uint?> domain, Option<bool> loopback, string name) =>
        new(name, new RosNodeOptions
        {
            DomainId = p.GetValue(domain),
            CycloneConfigXml = p.GetValue(loopback) ? CycloneConfig.LoopbackOnly() : null,
        });

    private static QosProfile Qos(string name) => name switch
    {
        "sensor" => QosProfile.SensorData,
        "commands" => QosProfile.Commands,
        _ => throw new ArgumentException($"--qos '{name}': expected sensor or commands"),
    };

    private static CancellationTokenSource CtrlC()
    {
        var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        return cts;
    }

    private static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    private static Command List()
    {
        var (domain, loopback) = (DomainOption(), LoopbackOption());
        var types = new Option<bool>("--show-types", "-t") { Description = "Show message types and endpoint counts." };
        var nodes = new Option<bool>("--nodes") { Description = "Also list ROS nodes from ros_discovery_info." };
        var wait = new Option<double>("--wait") { Description = "Seconds to wait for discovery.", DefaultValueFactory = _ => 2.0 };
        var cmd = WithCommon(new Command("list", "List ROS topics (and nodes) seen on the DDS domain.") { types, nodes, wait }, domain, loopback);
        cmd.SetAction(p => Guard(() =>
        {
            using var node = Node(p, domain, loopback, "mlsh_topic_list");
            return TopicTool.List(node, Console.Out, TimeSpan.FromSeconds(p.GetValue(wait)), p.GetValue(types), p.GetValue(nodes));
        }));
        return cmd;
    }

    private static Command Echo()
    {
        var (domain, loopback) = (DomainOption(), LoopbackOption());
        var name = new Argument<string>("topic") { Description = "ROS topic, e.g. /joint_states." };
        var type = new Option<string?>("--type") { Description = "Message type (default: discovered), e.g. sensor_msgs/msg/JointState." };
        var count = new Option<int>("--count") { Description = "Stop after N messages (0 = until Ctrl-C).", DefaultValueFactory = _ => 0 };
        var timeout = new Option<double>("--timeout") { Description = "Give up after this many seconds without a message.", DefaultValueFactory = _ => 3600 };
        var qos = QosOption("sensor");
        var cmd = WithCommon(new Command("echo", "Print messages of a topic as YAML.") { name, type, count, timeout, qos }, domain, loopback);
        cmd.SetAction(p => Guard(() =>
        {
            using var cts = CtrlC();
            using var node = Node(p, domain, loopback, "mlsh_topic_echo");
            var info = TopicTool.ResolveType(node, p.GetValue(name)!, p.GetValue(type), TimeSpan.FromSeconds(5));
            return TopicTool.Echo(node, p.GetValue(name)!, info, Qos(p.GetValue(qos)!), p.GetValue(count),
                TimeSpan.FromSeconds(p.GetValue(timeout)), Console.Out, cts.Token);
        }));
        return cmd;
    }

    private static Command Pub()
    {
        var (domain, loopback) = (DomainOption(), LoopbackOption());
        var name = new Argument<string>("topic") { Description = "ROS topic, e.g. /effort_controller/commands." };
        var type = new Argument<string>("type") { Description = "Message type, e.g. std_msgs/msg/Float64MultiArray." };
        var values = new Argument<string[]>("values") { Description = "field=value assignments, e.g. data=[0.1,0.2] header.frame_id=base_link.", Arity = ArgumentArity.ZeroOrMore };
        var rate = new Option<double>("--rate", "-r") { Description = "Publishing rate in Hz.", DefaultValueFactory = _ => 1.0 };
        var times = new Option<int>("--times") { Description = "Publish N times then exit (0 = until Ctrl-C).", DefaultValueFactory = _ => 0 };
        var qos = QosOption("commands");
        var cmd = WithCommon(new Command("pub", "Publish a message built from field=value assignments.") { name, type, values, rate, times, qos }, domain, loopback);
        cmd.SetAction(p => Guard(() =>
        {
            using var cts = CtrlC();
            using var node = Node(p, domain, loopback, "mlsh_topic_pub");
            var info = Mlsh.Ros2.Messages.MessageRegistry.Find(p.GetValue(type)!);
            return TopicTool.Pub(node, p.GetValue(name)!, info, p.GetValue(values) ?? [], p.GetValue(rate), p.GetValue(times),
                Qos(p.GetValue(qos)!), TimeSpan.FromSeconds(2), Console.Out, cts.Token);
        }));
        return cmd;
    }

    private static Command Hz()
    {
        var (domain, loopback) = (DomainOption(), LoopbackOption());
        var name = new Argument<string>("topic") { Description = "ROS topic, e.g. /imu/data." };
        var type = new Option<string?>("--type") { Description = "Message type (default: discovered)." };
        var duration = new Option<double>("--duration") { Description = "Seconds to measure.", DefaultValueFactory = _ => 10 };
        var cmd = WithCommon(new Command("hz", "Print the receive rate of a topic.") { name, type, duration }, domain, loopback);
        cmd.SetAction(p => Guard(() =>
        {
            using var cts = CtrlC();
            using var node = Node(p, domain, loopback, "mlsh_topic_hz");
            var info = TopicTool.ResolveType(node, p.GetValue(name)!, p.GetValue(type), TimeSpan.FromSeconds(5));
            var hz = TopicTool.Hz(node, p.GetValue(name)!, info, TimeSpan.FromSeconds(p.GetValue(duration)), Console.Out, cts.Token);
            return hz > 0 ? 0 : 1;
        }));
        return cmd;
    }

    private static Command Pong()
    {
        var (domain, loopback) = (DomainOption(), LoopbackOption());
        var ping = new Option<string>("--ping") { Description = "Topic to answer.", DefaultValueFactory = _ => "/mlsh_ping" };
        var pong = new Option<string>("--pong") { Description = "Topic to answer on.", DefaultValueFactory = _ => "/mlsh_pong" };
        var seconds = new Option<double>("--duration") { Description = "Exit after this many seconds.", DefaultValueFactory = _ => 120 };
        var listener = new Option<bool>("--listener") { Description = "Answer from a DDS listener on Cyclone's thread instead of a waitset." };
        var cmd = WithCommon(new Command("pong", "Echo JointState pings (the peer of `./mlsh bench dds`).") { ping, pong, seconds, listener }, domain, loopback);
        cmd.Hidden = true;
        cmd.SetAction(p => Guard(() =>
        {
            using var cts = CtrlC();
            cts.CancelAfter(TimeSpan.FromSeconds(p.GetValue(seconds)));
            using var node = Node(p, domain, loopback, "mlsh_pong");
            Console.WriteLine("ready");
            TopicTool.Pong(node, p.GetValue(ping)!, p.GetValue(pong)!, p.GetValue(listener) ? PingPongTrigger.Listener : PingPongTrigger.Waitset, cts.Token);
            return 0;
        }));
        return cmd;
    }
}

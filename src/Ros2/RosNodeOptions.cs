using Mlsh.Ros2.Graph;
using Mlsh.Ros2.Qos;

namespace Mlsh.Ros2;

/// <summary>How a <see cref="RosNode"/> joins the ROS graph.</summary>
public sealed record RosNodeOptions
{
    /// <summary>Node namespace ("/" by default), e.g. "/robot1".</summary>
    public string Namespace { get; init; } = "/";

    /// <summary>DDS domain; null means ROS_DOMAIN_ID from the environment, or 0.</summary>
    public uint? DomainId { get; init; }

    /// <summary>
    /// Cyclone XML configuration for the domain (see <see cref="CycloneConfig"/>); null leaves Cyclone to read
    /// CYCLONEDDS_URI like any ROS 2 process on rmw_cyclonedds_cpp. Nodes of one process share a domain, so the
    /// first node that creates it decides its configuration.
    /// </summary>
    public string? CycloneConfigXml { get; init; }

    /// <summary>
    /// The ROS 2 release whose `ros_discovery_info` layout the node speaks (Humble: 24-byte GIDs; Iron and later:
    /// 16); null means ROS_DISTRO from the environment, or Jazzy (<see cref="RosDistros.FromEnvironment"/>).
    /// </summary>
    public RosDistro? Distro { get; init; }

    /// <summary>The security enclave advertised in the participant's USER_DATA ("enclave=/;"), as rmw_cyclonedds does.</summary>
    public string Enclave { get; init; } = "/";

    /// <summary>
    /// Receives every QoS mismatch and deadline miss of this node's endpoints, on a Cyclone thread. The default
    /// writes one line to stderr; counters on each endpoint are updated regardless.
    /// </summary>
    public Action<QosEvent>? QosEventSink { get; init; } = static e => Console.Error.WriteLine($"[ros2] {e}");
}

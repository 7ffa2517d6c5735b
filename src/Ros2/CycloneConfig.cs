using System.Security;

namespace Mlsh.Ros2;

/// <summary>Cyclone DDS configuration snippets (the XML that CYCLONEDDS_URI would otherwise carry).</summary>
public static class CycloneConfig
{
    /// <summary>
    /// Discovery and data on 127.0.0.1 only. The loopback interface here has no MULTICAST flag, so SPDP runs as
    /// unicast to the participant ports of 127.0.0.1 (indices 0..maxParticipants-1 are probed). Used by tests
    /// and benchmarks so parallel runs on one machine (with distinct domain ids) never reach the network.
    /// With a <paramref name="discoveryTag"/>, Cyclone discovers only participants carrying the same tag: other
    /// processes on this machine in an overlapping domain range can then never pair with these nodes.
    /// </summary>
    public static string LoopbackOnly(int maxParticipants = 32, string? discoveryTag = null) =>
        "<CycloneDDS><Domain id=\"any\">" +
        "<General><Interfaces><NetworkInterface address=\"127.0.0.1\"/></Interfaces><AllowMulticast>false</AllowMulticast></General>" +
        "<Discovery>" +
        (discoveryTag is null ? "" : $"<Tag>{SecurityElement.Escape(discoveryTag)}</Tag>") +
        $"<ParticipantIndex>auto</ParticipantIndex><MaxAutoParticipantIndex>{maxParticipants}</MaxAutoParticipantIndex>" +
        "<Peers><Peer address=\"127.0.0.1\"/></Peers></Discovery>" +
        "</Domain></CycloneDDS>";

    /// <summary>ROS_DOMAIN_ID from the environment (0 when unset), validated to the range ROS 2 allows (0-232).</summary>
    public static uint DomainIdFromEnvironment() => ParseDomainId(Environment.GetEnvironmentVariable("ROS_DOMAIN_ID"));

    /// <summary>Parses a ROS_DOMAIN_ID value: empty means 0; anything else must be an integer in 0-232.</summary>
    public static uint ParseDomainId(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return 0;
        if (!uint.TryParse(text, out var id) || id > 232)
            throw new ArgumentException($"ROS_DOMAIN_ID='{text}': expected an integer between 0 and 232");
        return id;
    }
}

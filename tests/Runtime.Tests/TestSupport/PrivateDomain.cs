using Mlsh.Ros2;

namespace Mlsh.Runtime.Tests.TestSupport;

/// <summary>The DDS domain of one node test: loopback only, a random id in 60-229 and a discovery tag of its own.</summary>
/// <remarks>
/// DESIGN: a discovery tag on top of the random domain: other test processes on this machine run runtime nodes on the
/// same topics in overlapping domain ranges, and a participant whose tag differs is never discovered, so no stray
/// node can publish into this test.
/// </remarks>
internal sealed class PrivateDomain
{
    private readonly string _discoveryTag = $"mlsh-test-{Guid.NewGuid():N}";

    public uint Id { get; } = (uint)Random.Shared.Next(60, 230);

    /// <summary>Options for a node of this test; every node of the test must use them to see the others.</summary>
    public RosNodeOptions Options() => new() { DomainId = Id, CycloneConfigXml = CycloneConfig.LoopbackOnly(discoveryTag: _discoveryTag) };
}

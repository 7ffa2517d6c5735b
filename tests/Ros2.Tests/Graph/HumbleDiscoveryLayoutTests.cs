using Mlsh.Ros2.Cdr;
using Mlsh.Ros2.Graph;
using Mlsh.Ros2.Interop;
using Mlsh.Ros2.Qos;
using Mlsh.Ros2.Tests.TestSupport;

namespace Mlsh.Ros2.Tests.Graph;

/// <summary>
/// Cyclone's own bytes for the Humble discovery sample and idlc's descriptors of the three Humble types, from
/// Graph/Reference/humble_discovery.idl (rmw_dds_common as of Humble: Gid is uint8[24]) and
/// humble_discovery_serializer.c (built and run once for the class).
/// </summary>
public sealed class CycloneHumbleReference()
    : CycloneReferenceProgram("Graph/Reference/humble_discovery.idl", "Graph/Reference/humble_discovery_serializer.c");

public sealed class HumbleDiscoveryLayoutTests(CycloneHumbleReference reference) : IClassFixture<CycloneHumbleReference>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The values of humble_discovery_serializer.c.</summary>
    private static ParticipantEntitiesInfo<HumbleLayout> Sample() =>
        SampleMessages.ParticipantEntitiesInfoSample<HumbleLayout>("/robot1", "mlsh_sim");

    [Fact]
    public void HumbleParticipantEntitiesInfo_SerializesToTheBytesOfCyclonesCSerializerOnHumblesIdl()
    {
        var ours = reference.SerializationShouldMatchCyclone(Sample(), ParticipantEntitiesInfo<HumbleLayout>.MessageType);

        // Humble's layout: the 16-byte GUID, 8 zero bytes, then the node sequence's length.
        ours.AsSpan(4, 24).ToArray().Should().Equal([.. Enumerable.Range(1, 16).Select(i => (byte)i), 0, 0, 0, 0, 0, 0, 0, 0]);
        BitConverter.ToUInt32(ours, 4 + 24).Should().Be(1u);
    }

    [Fact]
    public void HumbleParticipantEntitiesInfo_ReadsCyclonesBytesBackIntoAnEqualMessage() =>
        reference.DeserializationShouldRecover(Sample(), ParticipantEntitiesInfo<HumbleLayout>.MessageType);

    public static TheoryData<string> HumbleTypes() => new(["Gid", "NodeEntitiesInfo", "ParticipantEntitiesInfo"]);

    [Theory]
    [MemberData(nameof(HumbleTypes))]
    public void HumbleTopicDescriptor_MatchesWhatIdlcGeneratesWordForWord(string name) =>
        reference.DescriptorShouldMatchIdlc(name switch
        {
            "Gid" => Gid<HumbleLayout>.MessageType,
            "NodeEntitiesInfo" => NodeEntitiesInfo<HumbleLayout>.MessageType,
            _ => ParticipantEntitiesInfo<HumbleLayout>.MessageType,
        });

    [Fact]
    public void HumbleNode_AnnouncesItsGuidsZeroPaddedTo24Bytes_OnRosDiscoveryInfo()
    {
        var domain = new TestDomain();
        using var sim = new RosNode("mlsh_sim", domain.Options("/robot1") with { Distro = RosDistro.Humble });
        using var js = sim.CreatePublisher<JointState>("joint_states", QosProfile.SensorData);
        using var cmd = sim.CreateSubscription<Float64MultiArray>("/effort_controller/commands", QosProfile.Commands);
        using var observer = new RosNode("observer", domain.Options() with { Distro = RosDistro.Humble });
        using var raw = observer.CreateDdsSubscription<ParticipantEntitiesInfo<HumbleLayout>>(
            DiscoveryInfoPublisher.Topic, QosProfile.Discovery with { Depth = 256 });

        var padding = new byte[8];
        var info = new ParticipantEntitiesInfo<HumbleLayout>();
        // Copied on match: the next TryTakeNext deserializes into the same objects.
        (string Ns, string Name, byte[] ParticipantPad, byte[] Writer, byte[] Reader)? announced = null;
        TestDomain.Eventually(() =>
        {
            while (raw.TryTakeNext(info))
            {
                if (info.Gid.Data.AsSpan(0, 16).SequenceEqual(sim.Gid) && info.NodeEntitiesInfoSeq is [var n] && n.WriterGidSeq.Length == 1 && n.ReaderGidSeq.Length == 1)
                    announced = (n.NodeNamespace, n.NodeName, info.Gid.Data[16..], n.WriterGidSeq[0].Data.ToArray(), n.ReaderGidSeq[0].Data.ToArray());
            }
            return announced != null;
        }, Timeout).Should().BeTrue("the Humble observer receives the Humble node's announcement");

        var a = announced!.Value;
        a.Ns.Should().Be("/robot1");
        a.Name.Should().Be("mlsh_sim");
        a.ParticipantPad.Should().Equal(padding);
        a.Writer.Should().Equal([.. js.Gid, .. padding]);
        a.Reader.Should().Equal([.. cmd.Gid, .. padding]);
    }

    [Fact]
    public void JazzyNode_AnnouncesItsGuidsAs16ByteGids_OnRosDiscoveryInfo()
    {
        var domain = new TestDomain();
        using var sim = new RosNode("mlsh_sim", domain.Options() with { Distro = RosDistro.Jazzy });
        using var js = sim.CreatePublisher<JointState>("joint_states", QosProfile.SensorData);
        using var observer = new RosNode("observer", domain.Options() with { Distro = RosDistro.Jazzy });
        using var raw = observer.CreateDdsSubscription<ParticipantEntitiesInfo<JazzyLayout>>(
            DiscoveryInfoPublisher.Topic, QosProfile.Discovery with { Depth = 256 });

        var info = new ParticipantEntitiesInfo<JazzyLayout>();
        byte[]? writer = null; // copied on match: the next TryTakeNext deserializes into the same objects
        TestDomain.Eventually(() =>
        {
            while (raw.TryTakeNext(info))
                if (info.Gid.Data.AsSpan().SequenceEqual(sim.Gid) && info.NodeEntitiesInfoSeq is [var n] && n.WriterGidSeq.Length == 1)
                    writer = n.WriterGidSeq[0].Data.ToArray();
            return writer != null;
        }, Timeout).Should().BeTrue("the Jazzy observer receives the Jazzy node's announcement");

        writer.Should().Equal(js.Gid);
    }

    [Theory]
    [InlineData("humble", RosDistro.Humble, 24)]
    [InlineData("iron", RosDistro.Jazzy, 16)]
    [InlineData("jazzy", RosDistro.Jazzy, 16)]
    [InlineData("kilted", RosDistro.Jazzy, 16)]
    [InlineData("rolling", RosDistro.Jazzy, 16)]
    public void RosDistroNames_MapToTheirReleasesGidLayout(string name, RosDistro expected, int gidSize)
    {
        RosDistros.TryParse(name, out var distro).Should().BeTrue();
        distro.Should().Be(expected);
        distro.GidSize().Should().Be(gidSize);
        RosDistros.FromEnvironmentValue(name).Should().Be(expected);
    }

    [Fact]
    public void RosDistroEnvironment_UnsetMeansJazzy_AndAnUnknownReleaseIsAnErrorNamingTheAcceptedOnes()
    {
        RosDistros.FromEnvironmentValue(null).Should().Be(RosDistro.Jazzy);
        RosDistros.FromEnvironmentValue("").Should().Be(RosDistro.Jazzy);
        RosDistros.TryParse("Humble", out _).Should().BeFalse("ROS_DISTRO values are lower case");
        var act = () => RosDistros.FromEnvironmentValue("foxy");
        act.Should().Throw<ArgumentException>().WithMessage("ROS_DISTRO=foxy: *humble, iron, jazzy, kilted or rolling*ros_distro*");
    }

    [Fact]
    public void RosNode_TakesItsDistroFromTheOptions()
    {
        var domain = new TestDomain();
        using var node = new RosNode("mlsh_sim", domain.Options() with { Distro = RosDistro.Humble });
        node.Distro.Should().Be(RosDistro.Humble);
    }
}

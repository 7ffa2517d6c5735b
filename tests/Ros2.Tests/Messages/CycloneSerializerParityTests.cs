using Mlsh.Ros2.Cdr;
using Mlsh.Ros2.Interop;
using Mlsh.Ros2.Messages;
using Mlsh.Ros2.Messages.BuiltinInterfaces;
using Mlsh.Ros2.Messages.DiagnosticMsgs;
using Mlsh.Ros2.Messages.GeometryMsgs;
using Mlsh.Ros2.Messages.NavMsgs;
using Mlsh.Ros2.Messages.RmwDdsCommon;
using Mlsh.Ros2.Messages.RosgraphMsgs;
using Mlsh.Ros2.Messages.SensorMsgs;
using Mlsh.Ros2.Messages.StdMsgs;
using Mlsh.Ros2.Tests.TestSupport;

namespace Mlsh.Ros2.Tests.Messages;

/// <summary>
/// Compiles Messages/Reference/ros_messages.idl with Cyclone's idlc, builds reference_serializer.c against it and
/// libddsc, and runs it once for the whole class: its output is Cyclone's own serialization of every sample
/// message and idlc's topic descriptor of every type.
/// </summary>
public sealed class CycloneReference
{
    public CycloneReference()
    {
        var dir = NativeToolchain.WorkDirectoryWith("Messages/Reference/ros_messages.idl", "Messages/Reference/reference_serializer.c");
        NativeToolchain.Run("idlc", "-t ros_messages.idl", dir);
        var prog = NativeToolchain.CompileWithDdsc(dir, "reference_serializer.c", "ros_messages.c");
        foreach (var line in NativeToolchain.Run(prog, "", dir).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts[0] == "cdr") Payloads[parts[1]] = parts.Length > 2 ? parts[2] : "";
            else if (parts[0] == "desc") Descriptors[parts[1]] = parts[2..];
        }
        Directory.Delete(dir, recursive: true);
    }

    public Dictionary<string, string> Payloads { get; } = [];

    public Dictionary<string, string[]> Descriptors { get; } = [];
}

public sealed class CycloneSerializerParityTests(CycloneReference reference) : IClassFixture<CycloneReference>
{
    public static TheoryData<string> SampleNames() => new(SampleMessages.All().Select(m => SampleMessages.TypeOf(m).RosName));

    public static TheoryData<string> AllTypeNames() => new(AllTypes.Select(t => t.RosName));

    private static readonly RosMessageType[] AllTypes =
    [
        Time.MessageType, Header.MessageType, StringMsg.MessageType, MultiArrayDimension.MessageType, MultiArrayLayout.MessageType,
        Float64MultiArray.MessageType, Vector3.MessageType, Point.MessageType, Quaternion.MessageType, Pose.MessageType,
        PoseWithCovariance.MessageType, Twist.MessageType, TwistWithCovariance.MessageType, PoseStamped.MessageType,
        JointState.MessageType, Imu.MessageType, Odometry.MessageType, Clock.MessageType, KeyValue.MessageType,
        DiagnosticStatus.MessageType, DiagnosticArray.MessageType, Gid.MessageType, NodeEntitiesInfo.MessageType,
        ParticipantEntitiesInfo.MessageType,
    ];

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Serialize_ProducesTheBytesOfCyclonesCSerializer(string rosName)
    {
        var message = SampleMessages.All().Single(m => SampleMessages.TypeOf(m).RosName == rosName);
        var type = SampleMessages.TypeOf(message);
        var writer = new CdrWriter();
        message.Serialize(writer);

        var ours = writer.WrittenSpan.ToArray();
        ours[..4].Should().Equal([0x00, 0x01, 0x00, 0x00], "XCDR1 little-endian encapsulation, no options");
        reference.Payloads.Should().ContainKey(type.DdsTypeName);
        Convert.ToHexString(ours[4..]).ToLowerInvariant().Should().Be(reference.Payloads[type.DdsTypeName]);
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Deserialize_ReadsCyclonesBytesBackIntoAnEqualMessage(string rosName)
    {
        var expected = SampleMessages.All().Single(m => SampleMessages.TypeOf(m).RosName == rosName);
        var type = SampleMessages.TypeOf(expected);
        var cdr = Convert.FromHexString("00010000" + reference.Payloads[type.DdsTypeName]);
        var reader = new CdrReader();
        reader.Begin(cdr);
        var actual = (IRosMessage)Activator.CreateInstance(expected.GetType())!;
        actual.Deserialize(reader);

        actual.Should().BeEquivalentTo(expected, o => o.RespectingRuntimeTypes());
        reader.Remaining.Should().Be(0);
    }

    [Theory]
    [MemberData(nameof(AllTypeNames))]
    public void TopicDescriptor_MatchesWhatIdlcGeneratesWordForWord(string rosName)
    {
        var type = AllTypes.Single(t => t.RosName == rosName);
        var ours = TopicDescriptorBuilder.Build(type);
        var idlc = reference.Descriptors[type.DdsTypeName];

        ours.Size.Should().Be(uint.Parse(idlc[0]), "m_size");
        ours.Align.Should().Be(uint.Parse(idlc[1]), "m_align");
        ours.FlagSet.Should().Be(uint.Parse(idlc[2]), "m_flagset");
        ours.InstructionCount.Should().Be(uint.Parse(idlc[3]), "m_nops");
        ours.Ops.Select(w => w.ToString("x8")).Should().Equal(idlc[4..]);
    }
}

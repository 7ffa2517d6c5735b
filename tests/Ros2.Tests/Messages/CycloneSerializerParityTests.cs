using Mlsh.Ros2.Tests.TestSupport;

namespace Mlsh.Ros2.Tests.Messages;

/// <summary>
/// Cyclone's own serialization of every sample message and idlc's topic descriptor of every type, from
/// Messages/Reference/ros_messages.idl and reference_serializer.c (built and run once for the whole class).
/// </summary>
public sealed class CycloneReference() : CycloneReferenceProgram("Messages/Reference/ros_messages.idl", "Messages/Reference/reference_serializer.c");

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
        DiagnosticStatus.MessageType, DiagnosticArray.MessageType, Gid<JazzyLayout>.MessageType,
        NodeEntitiesInfo<JazzyLayout>.MessageType, ParticipantEntitiesInfo<JazzyLayout>.MessageType,
    ];

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Serialize_ProducesTheBytesOfCyclonesCSerializer(string rosName)
    {
        var message = SampleMessages.All().Single(m => SampleMessages.TypeOf(m).RosName == rosName);
        reference.SerializationShouldMatchCyclone(message, SampleMessages.TypeOf(message));
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Deserialize_ReadsCyclonesBytesBackIntoAnEqualMessage(string rosName)
    {
        var expected = SampleMessages.All().Single(m => SampleMessages.TypeOf(m).RosName == rosName);
        reference.DeserializationShouldRecover(expected, SampleMessages.TypeOf(expected));
    }

    [Theory]
    [MemberData(nameof(AllTypeNames))]
    public void TopicDescriptor_MatchesWhatIdlcGeneratesWordForWord(string rosName) =>
        reference.DescriptorShouldMatchIdlc(AllTypes.Single(t => t.RosName == rosName));
}

using Mlsh.Ros2.Graph;

namespace Mlsh.Ros2.Tests.TestSupport;

/// <summary>
/// One canonical instance of every top-level message type, with values that exercise alignment (odd string
/// lengths, empty sequences, non-ASCII text, negative numbers). Messages/Reference/reference_serializer.c fills
/// the same values on the C side; the two-process test uses them as the expected content.
/// </summary>
public static class SampleMessages
{
    public static IReadOnlyList<IRosMessage> All() =>
    [
        TimeSample(), HeaderSample(), StringSample(), Float64MultiArraySample(), JointStateSample(), ImuSample(),
        OdometrySample(), PoseStampedSample(), ClockSample(), DiagnosticArraySample(), ParticipantEntitiesInfoSample<JazzyLayout>(),
    ];

    public static RosMessageType TypeOf(IRosMessage m) => m switch
    {
        Time => Time.MessageType,
        Header => Header.MessageType,
        StringMsg => StringMsg.MessageType,
        Float64MultiArray => Float64MultiArray.MessageType,
        JointState => JointState.MessageType,
        Imu => Imu.MessageType,
        Odometry => Odometry.MessageType,
        PoseStamped => PoseStamped.MessageType,
        Clock => Clock.MessageType,
        DiagnosticArray => DiagnosticArray.MessageType,
        ParticipantEntitiesInfo<JazzyLayout> => ParticipantEntitiesInfo<JazzyLayout>.MessageType,
        _ => throw new ArgumentException(m.GetType().Name),
    };

    public static Time TimeSample() => new() { Sec = -1700000000, Nanosec = 123456789u };

    public static Header HeaderSample() => MakeHeader(5, 6u, "base_link");

    public static StringMsg StringSample() => new() { Data = "héllo wörld" };

    public static Float64MultiArray Float64MultiArraySample() => new()
    {
        Layout = new MultiArrayLayout
        {
            Dim = [new MultiArrayDimension { Label = "joints", Size = 3, Stride = 3 }, new MultiArrayDimension { Label = "x", Size = 1, Stride = 1 }],
            DataOffset = 2,
        },
        Data = [1.5, -2.25, 3e-9],
    };

    public static JointState JointStateSample() => new()
    {
        Header = MakeHeader(12, 345u, "odom"),
        Name = ["hip_fl", "knee_fl", "ankle"],
        Position = [0.1, 0.2, 0.3],
        Velocity = [-1.0, -2.0, -3.0],
        Effort = [],
    };

    public static Imu ImuSample()
    {
        var m = new Imu { Header = MakeHeader(1, 2u, "imu_link") };
        m.Orientation.Set(0.1, 0.2, 0.3, 0.9);
        m.AngularVelocity.Set(1, 2, 3);
        m.LinearAcceleration.Set(4, 5, 9.81);
        for (var i = 0; i < 9; i++)
        {
            m.OrientationCovariance[i] = i + 0.5;
            m.AngularVelocityCovariance[i] = i * -0.25;
            m.LinearAccelerationCovariance[i] = 100 + i;
        }
        return m;
    }

    public static Odometry OdometrySample()
    {
        var m = new Odometry { Header = MakeHeader(3, 4u, "odom"), ChildFrameId = "base_link" };
        m.Pose.Pose.Position.Set(1, 2, 3);
        m.Pose.Pose.Orientation.Set(0, 0, 0.7071, 0.7071);
        m.Twist.Twist.Linear.Set(0.5, 0, 0);
        m.Twist.Twist.Angular.Set(0, 0, -0.25);
        for (var i = 0; i < 36; i++)
        {
            m.Pose.Covariance[i] = i;
            m.Twist.Covariance[i] = -i;
        }
        return m;
    }

    public static PoseStamped PoseStampedSample()
    {
        var m = new PoseStamped { Header = MakeHeader(9, 10u, "map") };
        m.Pose.Position.Set(-1, -2, -3);
        m.Pose.Orientation.Set(0, 0, 0, 1);
        return m;
    }

    public static Clock ClockSample() => new() { Time = new Time { Sec = 42, Nanosec = 999999999u } };

    public static DiagnosticArray DiagnosticArraySample() => new()
    {
        Header = MakeHeader(7, 8u, ""),
        Status =
        [
            new DiagnosticStatus
            {
                Level = DiagnosticStatus.Warn, Name = "mlsh_sim: physics", Message = "ok", HardwareId = "mujoco",
                Values = [new KeyValue { Key = "steps", Value = "100" }, new KeyValue { Key = "dt", Value = "0.01" }],
            },
            new DiagnosticStatus { Level = DiagnosticStatus.Error, Name = "b", Message = "", HardwareId = "", Values = [] },
        ],
    };

    /// <summary>
    /// ros_discovery_info in either GID layout, with 16-byte GUIDs put into the GIDs the way DiscoveryInfoPublisher
    /// does (zero after them on Humble). The C references fill the same values: Messages/Reference/reference_serializer.c
    /// for Jazzy with the defaults, Graph/Reference/humble_discovery_serializer.c for Humble as "/robot1" "mlsh_sim".
    /// </summary>
    public static ParticipantEntitiesInfo<TLayout> ParticipantEntitiesInfoSample<TLayout>(string ns = "/", string name = "mlsh_runtime")
        where TLayout : IGidLayout
    {
        static byte[] Guid(int first) => Enumerable.Range(0, 16).Select(i => (byte)(first + i)).ToArray();
        static Gid<TLayout> GidOf(int first)
        {
            var gid = new Gid<TLayout>();
            DiscoveryInfoPublisher.CopyGuid(Guid(first), gid.Data);
            return gid;
        }
        var m = new ParticipantEntitiesInfo<TLayout>();
        DiscoveryInfoPublisher.CopyGuid(Guid(1), m.Gid.Data);
        m.NodeEntitiesInfoSeq =
        [
            new NodeEntitiesInfo<TLayout> { NodeNamespace = ns, NodeName = name, ReaderGidSeq = [GidOf(0xa0)], WriterGidSeq = [GidOf(0xb0), GidOf(0xc0)] },
        ];
        return m;
    }

    private static Header MakeHeader(int sec, uint nsec, string frame) => new() { Stamp = new Time { Sec = sec, Nanosec = nsec }, FrameId = frame };
}

using Mlsh.Ros2.Qos;
using Mlsh.Ros2.Tests.TestSupport;
using Mlsh.Ros2.Tools;

namespace Mlsh.Ros2.Tests.Tools;

public sealed class TopicToolTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Echo_PrintsEachMessageAsYaml()
    {
        var domain = new TestDomain();
        using var node = domain.Node("mlsh_topic_echo");
        using var sim = domain.Node("mlsh_sim");
        using var pub = sim.CreatePublisher<JointState>("/joint_states", QosProfile.SensorData);
        var output = new StringWriter();
        using var cts = new CancellationTokenSource(Timeout);
        var echo = Task.Run(() => TopicTool.Echo(node, "/joint_states", MessageRegistry.Find("sensor_msgs/JointState"), QosProfile.SensorData, 1, Timeout, output, cts.Token));

        TestDomain.Eventually(() => { pub.Publish(SampleMessages.JointStateSample()); return echo.IsCompleted; }, Timeout).Should().BeTrue();
        (await echo).Should().Be(0);
        output.ToString().Should().Be(
            "header:\n  stamp:\n    sec: 12\n    nanosec: 345\n  frame_id: 'odom'\n" +
            "name: ['hip_fl', 'knee_fl', 'ankle']\nposition: [0.1, 0.2, 0.3]\nvelocity: [-1, -2, -3]\neffort: []\n---\n");
    }

    [Fact]
    public void Pub_PublishesTheAssignedFields()
    {
        var domain = new TestDomain();
        using var runtime = domain.Node("mlsh_runtime");
        using var sub = runtime.CreateSubscription<Float64MultiArray>("/effort_controller/commands", QosProfile.Commands);
        using var tool = domain.Node("mlsh_topic_pub");

        var code = TopicTool.Pub(tool, "/effort_controller/commands", MessageRegistry.Find("std_msgs/msg/Float64MultiArray"),
            ["data=[0.5, -1.5]", "layout.data_offset=3"], rateHz: 50, times: 20, QosProfile.Commands, Timeout, TextWriter.Null, CancellationToken.None);

        code.Should().Be(0);
        var got = new Float64MultiArray();
        sub.TryTake(got).Should().BeTrue();
        got.Data.Should().Equal(0.5, -1.5);
        got.Layout.DataOffset.Should().Be(3u);
    }

    [Fact]
    public void List_ShowsTopicsWithRosTypes_AndNodes()
    {
        var domain = new TestDomain();
        using var sim = domain.Node("mlsh_sim");
        using var pub = sim.CreatePublisher<JointState>("/joint_states", QosProfile.SensorData);
        using var tool = domain.Node("mlsh_topic_list");
        var output = new StringWriter();

        TopicTool.List(tool, output, TimeSpan.FromSeconds(1), showTypes: true, nodes: true).Should().Be(0);

        output.ToString().Should().Contain("/joint_states [sensor_msgs/msg/JointState] pubs=1 subs=0");
        output.ToString().Should().Contain("node /mlsh_sim");
    }

    [Fact]
    public void Assign_RejectsUnknownFields_ListingTheKnownOnes()
    {
        var act = () => MessageText.Assign(new StringMsg(), "dta=hi");
        act.Should().Throw<ArgumentException>().WithMessage("'dta=hi': StringMsg has no field 'dta' (fields: data)");
    }

    [Fact]
    public void Assign_SetsFixedArraysInPlace_AndChecksTheirLength()
    {
        var imu = new Imu();
        MessageText.Assign(imu, "orientation_covariance=[1,0,0,0,1,0,0,0,1]");
        imu.OrientationCovariance.Should().Equal(1, 0, 0, 0, 1, 0, 0, 0, 1);
        var act = () => MessageText.Assign(imu, "orientation_covariance=[1,2]");
        act.Should().Throw<ArgumentException>().WithMessage("*float64[9], got 2 values*");
    }

    [Fact]
    public void Format_WritesEveryFieldOfEveryRegisteredType()
    {
        foreach (var info in MessageRegistry.All)
            MessageText.Format(info.Create()).Should().NotBeNull(info.Type.RosName);
        MessageText.Format(SampleMessages.DiagnosticArraySample()).Should().Contain("status:\n- level: 1\n  name: 'mlsh_sim: physics'\n  message: 'ok'\n  hardware_id: 'mujoco'\n  values:\n  - key: 'steps'\n    value: '100'\n");
    }

    [Fact]
    public void Find_ListsKnownTypes_WhenTheTypeIsUnknown()
    {
        var act = () => MessageRegistry.Find("std_msgs/msg/Float32");
        act.Should().Throw<ArgumentException>().WithMessage("unknown message type 'std_msgs/msg/Float32'; Mlsh knows: *sensor_msgs/msg/JointState*");
        MessageRegistry.Find("sensor_msgs::msg::dds_::Imu_").Type.Should().BeSameAs(Imu.MessageType);
    }
}

using Mlsh.Ros2;
using Mlsh.Ros2.Messages.NavMsgs;
using Mlsh.Ros2.Messages.SensorMsgs;
using Mlsh.Ros2.Qos;
using Mlsh.Runtime.Configuration;
using Mlsh.Runtime.Tests.TestSupport;

namespace Mlsh.Runtime.Tests.Node;

/// <summary>
/// The robot's side of the node's sensor topics, as a second DDS participant: publishes JointState (default pose),
/// IMU (level) and odometry every 2 ms on its own thread until disposed. <see cref="BasePosition"/> moves the base
/// in the odometry, which changes the master's observation.
/// </summary>
public sealed class RobotStandIn : IDisposable
{
    private readonly RosNode _node;
    private readonly Publisher<JointState> _joints;
    private readonly Publisher<Imu> _imu;
    private readonly Publisher<Odometry> _odom;
    private readonly Thread _thread;
    private volatile bool _stop;
    private (double X, double Y) _basePosition;

    public RobotStandIn(RosNodeOptions options, RuntimeParameters p)
    {
        _node = new RosNode("robot_standin", options);
        _joints = _node.CreatePublisher<JointState>(p.JointStatesTopic, QosProfile.SensorData);
        _imu = _node.CreatePublisher<Imu>(p.ImuTopic, QosProfile.SensorData);
        _odom = _node.CreatePublisher<Odometry>(p.OdomTopic, QosProfile.SensorData);
        var js = JointState.WithJoints(QuadrupedBundle.Joints);
        for (var i = 0; i < js.Position.Length; i++) js.Position[i] = QuadrupedBundle.DefaultPose[i];
        var imu = new Imu();
        var odom = new Odometry();
        _thread = new Thread(() =>
        {
            while (!_stop)
            {
                var (x, y) = BasePosition;
                odom.Pose.Pose.Position.X = x;
                odom.Pose.Pose.Position.Y = y;
                _joints.Publish(js);
                _imu.Publish(imu);
                _odom.Publish(odom);
                Thread.Sleep(2);
            }
        }) { IsBackground = true, Name = "robot-standin" };
        _thread.Start();
    }

    /// <summary>Base position (m, odom frame) published from now on.</summary>
    public (double X, double Y) BasePosition
    {
        get { lock (_thread) return _basePosition; }
        set { lock (_thread) _basePosition = value; }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
        _odom.Dispose();
        _imu.Dispose();
        _joints.Dispose();
        _node.Dispose();
    }
}

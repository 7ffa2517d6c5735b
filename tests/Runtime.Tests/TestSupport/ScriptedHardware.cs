using Mlsh.Runtime.Hardware;

namespace Mlsh.Runtime.Tests.TestSupport;

/// <summary>
/// A hardware interface driven by the test: the test sets the state it wants the controller to see and decides
/// which sources deliver a new message this cycle; every written command is kept. Allocation-free per cycle.
/// </summary>
public sealed class ScriptedHardware : IRobotHardware
{
    private readonly RobotStateFrame _state;
    private long _jointSeq, _imuSeq, _odomSeq;

    public ScriptedHardware(int joints)
    {
        _state = new RobotStateFrame(joints);
        LastCommand = new double[joints];
        Standing();
    }

    public int JointCount => _state.JointCount;

    /// <summary>The values the next ReadState copies out (edit freely between cycles).</summary>
    public RobotStateFrame State => _state;

    public bool DeliverJointState { get; set; } = true;
    public bool DeliverImu { get; set; } = true;
    public bool DeliverOdom { get; set; } = true;
    public double[] LastCommand { get; }
    public long Commands { get; private set; }

    /// <summary>Upright at the default pose, at rest.</summary>
    public void Standing()
    {
        for (var i = 0; i < _state.JointCount; i++)
        {
            _state.JointPositions[i] = QuadrupedBundle.DefaultPose[i] + 0.05 * Math.Sin(i);
            _state.JointVelocities[i] = 0.1 * Math.Cos(i);
        }
        _state.Orientation.AsSpan().CopyFrom([1, 0, 0, 0]);
        Array.Clear(_state.AngularVelocity);
        Array.Clear(_state.LinearVelocity);
        _state.Position.AsSpan().CopyFrom([0.1, -0.2, 0.3]);
    }

    public void ReadState(RobotStateFrame frame)
    {
        if (DeliverJointState)
        {
            _state.JointPositions.CopyTo(frame.JointPositions, 0);
            _state.JointVelocities.CopyTo(frame.JointVelocities, 0);
            frame.JointStateSequence = ++_jointSeq;
        }
        if (DeliverImu)
        {
            _state.Orientation.CopyTo(frame.Orientation, 0);
            _state.AngularVelocity.CopyTo(frame.AngularVelocity, 0);
            _state.LinearAcceleration.CopyTo(frame.LinearAcceleration, 0);
            frame.ImuSequence = ++_imuSeq;
        }
        if (DeliverOdom)
        {
            _state.Position.CopyTo(frame.Position, 0);
            _state.LinearVelocity.CopyTo(frame.LinearVelocity, 0);
            frame.OdomSequence = ++_odomSeq;
        }
    }

    public void WriteCommand(ReadOnlySpan<double> efforts)
    {
        efforts.CopyTo(LastCommand);
        Commands++;
    }
}

file static class SpanExtensions
{
    public static void CopyFrom(this Span<double> destination, ReadOnlySpan<double> source) => source.CopyTo(destination);
}

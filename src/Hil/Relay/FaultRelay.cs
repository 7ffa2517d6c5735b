using System.Diagnostics;
using Mlsh.Hil.Scenarios;
using Mlsh.Ros2;
using Mlsh.Ros2.Messages;
using Mlsh.Ros2.Messages.NavMsgs;
using Mlsh.Ros2.Messages.SensorMsgs;
using Mlsh.Ros2.Qos;

namespace Mlsh.Hil.Relay;

/// <summary>Input (robot) and output (runtime) topic names of the relay.</summary>
public sealed record RelayTopics(
    string JointStatesIn = "/joint_states", string ImuIn = "/imu/data", string OdomIn = "/odom",
    string JointStatesOut = "/hil/joint_states", string ImuOut = "/hil/imu/data", string OdomOut = "/hil/odom")
{
    public string OutputOf(RelayTopic t) => t switch { RelayTopic.JointStates => JointStatesOut, RelayTopic.Imu => ImuOut, _ => OdomOut };
}

/// <summary>What a relay channel did, for the report.</summary>
/// <param name="FirstFaultS">Scenario time of the first message a fault touched (NaN if none).</param>
public sealed record RelayChannelStats(RelayTopic Topic, long Forwarded, long Dropped, long Poisoned, long Delayed, double FirstFaultS);

/// <summary>
/// The man-in-the-middle that makes fault injection robot-agnostic: it subscribes to the robot's sensor topics
/// (joint states, IMU, odometry), and republishes every message on the runtime's input topics — unless a scheduled
/// fault says to drop it, hold it back (delay) or write NaN into it. The runtime's parameters remap its inputs to
/// <see cref="RelayTopics"/> outputs. One reader thread per topic; the relay owns its publishers/subscriptions but
/// not the node. Start once, Dispose to stop (joins the threads).
/// </summary>
/// <remarks>DESIGN: a relay rather than fault hooks inside the simulator, so the same scenarios run against any robot
/// that speaks these topics. Messages are taken straight into a preallocated ring of slots and republished from
/// there, so forwarding allocates nothing per message in steady state.</remarks>
public sealed class FaultRelay : IDisposable
{
    private readonly List<IRelayChannel> _channels = [];
    private readonly List<Thread> _threads = [];
    private volatile bool _stop;

    public FaultRelay(RosNode node, RelayTopics topics, IReadOnlyList<Fault> faults, ScenarioClock clock)
    {
        Clock = clock;
        var sensorFaults = faults.Where(f => f.Topic is not null).ToArray();
        _channels.Add(new RelayChannel<JointState>(node, RelayTopic.JointStates, topics.JointStatesIn, topics.JointStatesOut, sensorFaults, clock,
            static m => m.Header.Stamp.ToNanoseconds() * 1e-9,
            static m => { if (m.Position.Length > 0) m.Position[0] = double.NaN; }));
        _channels.Add(new RelayChannel<Imu>(node, RelayTopic.Imu, topics.ImuIn, topics.ImuOut, sensorFaults, clock,
            static m => m.Header.Stamp.ToNanoseconds() * 1e-9,
            static m => m.AngularVelocity.X = double.NaN));
        _channels.Add(new RelayChannel<Odometry>(node, RelayTopic.Odom, topics.OdomIn, topics.OdomOut, sensorFaults, clock,
            static m => m.Header.Stamp.ToNanoseconds() * 1e-9,
            static m => m.Pose.Pose.Position.X = double.NaN));
    }

    public ScenarioClock Clock { get; }

    public void Start()
    {
        if (_threads.Count > 0) throw new InvalidOperationException("the relay is already started");
        foreach (var c in _channels)
        {
            var t = new Thread(() => c.Run(() => _stop)) { IsBackground = true, Name = "hil-relay " + c.Topic };
            _threads.Add(t);
            t.Start();
        }
    }

    /// <summary>Counters per channel (safe to read while running; values may lag by a message).</summary>
    public IReadOnlyList<RelayChannelStats> Stats() => _channels.Select(c => c.Stats()).ToArray();

    public void Dispose()
    {
        _stop = true;
        foreach (var t in _threads) t.Join(TimeSpan.FromSeconds(2));
        foreach (var c in _channels) c.Dispose();
    }

    private interface IRelayChannel : IDisposable
    {
        RelayTopic Topic { get; }
        void Run(Func<bool> stop);
        RelayChannelStats Stats();
    }

    private sealed class RelayChannel<T> : IRelayChannel where T : class, IRosMessage<T>, new()
    {
        private const int Slots = 256;
        private readonly Subscription<T> _in;
        private readonly Publisher<T> _out;
        private readonly Fault[] _faults;
        private readonly ScenarioClock _clock;
        private readonly Func<T, double> _stamp;
        private readonly Action<T> _poison;
        private readonly T[] _ring = new T[Slots];
        private readonly long[] _releaseAt = new long[Slots];
        private int _head, _count; // delayed messages: ring[(head - count) .. head)
        private long _forwarded, _dropped, _poisoned, _delayed;
        private double _firstFault = double.NaN;

        public RelayChannel(RosNode node, RelayTopic topic, string input, string output, Fault[] faults, ScenarioClock clock,
            Func<T, double> stamp, Action<T> poison)
        {
            Topic = topic;
            _faults = faults.Where(f => f.Topic == topic).ToArray();
            _clock = clock;
            _stamp = stamp;
            _poison = poison;
            for (var i = 0; i < Slots; i++) _ring[i] = new T();
            _in = node.CreateSubscription<T>(input, QosProfile.SensorData);
            _out = node.CreatePublisher<T>(output, QosProfile.SensorData);
        }

        public RelayTopic Topic { get; }

        public void Run(Func<bool> stop)
        {
            while (!stop())
            {
                // Short waits so delayed messages are released on time even when no new message arrives.
                _in.WaitForData(TimeSpan.FromMilliseconds(_count > 0 ? 1 : 20));
                while (_count < Slots && _in.TryTakeNext(_ring[_head]))
                    Handle(_ring[_head]);
                ReleaseDue();
            }
        }

        private void Handle(T message)
        {
            var t = _clock.Observe(_stamp(message));
            Fault? active = null;
            foreach (var f in _faults)
                if (t >= f.AtS && t < f.EndS) { active = f; break; }
            if (active is not null && double.IsNaN(Volatile.Read(ref _firstFault))) Volatile.Write(ref _firstFault, t);
            switch (active?.Kind)
            {
                case FaultKind.Drop:
                    Interlocked.Increment(ref _dropped);
                    return; // the slot is reused by the next take
                case FaultKind.Nan:
                    _poison(message);
                    Interlocked.Increment(ref _poisoned);
                    break;
                case FaultKind.Delay:
                    Hold(Stopwatch.GetTimestamp() + (long)(active.DelayS * Stopwatch.Frequency));
                    Interlocked.Increment(ref _delayed);
                    return;
            }
            if (_count > 0)
            {
                // Keep order: queue behind the held-back messages, due now (goes out right after them).
                Hold(Stopwatch.GetTimestamp());
                return;
            }
            _out.Publish(message);
            Interlocked.Increment(ref _forwarded);
        }

        private void Hold(long releaseAt)
        {
            _releaseAt[_head] = releaseAt;
            _head = (_head + 1) % Slots;
            _count++;
        }

        private void ReleaseDue()
        {
            var now = Stopwatch.GetTimestamp();
            while (_count > 0)
            {
                var tail = (_head - _count + Slots) % Slots;
                if (_releaseAt[tail] > now) return;
                _out.Publish(_ring[tail]);
                Interlocked.Increment(ref _forwarded);
                _count--;
            }
        }

        public RelayChannelStats Stats() => new(Topic, Interlocked.Read(ref _forwarded), Interlocked.Read(ref _dropped),
            Interlocked.Read(ref _poisoned), Interlocked.Read(ref _delayed), Volatile.Read(ref _firstFault));

        public void Dispose()
        {
            _in.Dispose();
            _out.Dispose();
        }
    }
}

using Mlsh.Ros2;
using Mlsh.Ros2.Messages.GeometryMsgs;
using Mlsh.Ros2.Messages.NavMsgs;
using Mlsh.Ros2.Messages.SensorMsgs;
using Mlsh.Ros2.Messages.StdMsgs;
using Mlsh.Ros2.Qos;
using Mlsh.Runtime.Configuration;

namespace Mlsh.Runtime.Hardware;

/// <summary>
/// The robot over ROS 2 topics: sensor_msgs/JointState (matched by joint name), sensor_msgs/Imu and
/// nav_msgs/Odometry in, std_msgs/Float64MultiArray efforts out. A reader thread (not real-time) drains the DDS
/// readers into <see cref="SeqLockBuffer"/>s; <see cref="ReadState"/> on the control thread only copies the newest
/// values out, so the control thread never touches a DDS reader, never blocks and never allocates.
/// </summary>
/// <remarks>
/// Lifetime: created on a <see cref="RosNode"/> the caller owns (and disposes after this). Either
/// <see cref="StartReaderThread"/> (wall-clock operation) or call <see cref="Drain"/> from the thread that drives the
/// cycles (simulated time: the cycle must see the state published with the /clock tick it answers).
/// Commands: with <see cref="StartCommandPublisher"/> running (wall-clock operation), <see cref="WriteCommand"/> only
/// copies the efforts into a preallocated <see cref="CommandRing"/>; a publisher thread takes them out and serializes
/// and writes them to DDS in order. Otherwise (simulated time, and the last command after the loop stopped) it
/// publishes on the calling thread.
/// DESIGN: the control thread hands commands off instead of calling dds_write itself. dds_write serializes, walks
/// the writer's history and sends one datagram per matched reader (sendto): 4-6 µs p50 and 10 µs p99 per cycle on
/// the bench machine with no reader matched, more with one, and I/O the control loop must never wait on (issue #6).
/// DESIGN: the publisher polls the ring on the control period's phase instead of being woken: waking a thread is a
/// system call plus, in a VM, an inter-processor interrupt (a VM exit), measured at 4 µs p50 on the control thread,
/// about what the dds_write cost; and a woken SCHED_OTHER thread preempts the control thread mid-cycle (43 µs p99).
/// Polling costs the control thread nothing but the copy; the publisher sleeps until 10 µs after one period past
/// the last command's stamp (when a PD-only cycle has usually ended); if the command is not there (a sub-policy
/// cycle), it checks again as late as the last such command came, then every <see cref="CommandPollStep"/>. A command
/// waits about one wake-up, more after a long cycle (<see cref="CommandHandoff"/> measures it). A poll that wakes on
/// the control thread's CPU during a long cycle can still preempt it for a few µs unless the threads run SCHED_FIFO
/// (realtime_priority), where the publisher gets one priority below the control thread. Under simulated time
/// the cycle is paced by /clock, not by deadlines, and a hand-off would only lengthen the lockstep round trip.
/// </remarks>
public sealed class DdsRobotHardware : IRobotHardware, IDisposable
{
    private const int ImuLength = 10, OdomLength = 6;
    private readonly string[] _jointNames;
    private readonly Subscription<JointState> _jointSub;
    private readonly Subscription<Imu> _imuSub;
    private readonly Subscription<Odometry> _odomSub;
    private readonly Publisher<Float64MultiArray> _commandPub;
    private readonly JointState _jointMsg = new();
    private readonly Imu _imuMsg = new();
    private readonly Odometry _odomMsg = new();
    private readonly Float64MultiArray _command;
    private readonly SeqLockBuffer _joints, _imu, _odom;
    private readonly double[] _jointScratch, _imuScratch = new double[ImuLength], _odomScratch = new double[OdomLength];
    private readonly double[] _jointRead, _imuRead = new double[ImuLength], _odomRead = new double[OdomLength];
    private readonly int[] _jointIndex; // message position of joint i, from the last message's names
    private readonly StampTrack _jointStamps, _imuStamps, _odomStamps;
    private readonly CommandRing _commandRing;
    private readonly double[] _commandOut;
    private long _commandPeriodNs;
    private Thread? _reader;
    private Thread? _commandThread;
    private volatile bool _handOff;
    private volatile bool _commandStop;
    private volatile bool _stop;
    private long _rejectedJointStates;
    private string? _lastRejection;

    public DdsRobotHardware(RosNode node, RuntimeParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(parameters);
        _jointNames = parameters.JointNames.ToArray();
        var n = _jointNames.Length;
        _jointIndex = new int[n];
        Array.Fill(_jointIndex, -1);
        _joints = new SeqLockBuffer(2 * n);
        _imu = new SeqLockBuffer(ImuLength);
        _odom = new SeqLockBuffer(OdomLength);
        _jointScratch = new double[2 * n];
        _jointRead = new double[2 * n];
        _command = new Float64MultiArray { Data = new double[n] };
        // DESIGN: 8 commands of slack: the publisher thread normally takes each command within tens of µs; 8 periods
        // behind it is stalled, and then only the newest commands are worth sending (the ring drops the oldest).
        _commandRing = new CommandRing(8, n);
        _commandOut = new double[n];
        _jointSub = node.CreateSubscription<JointState>(parameters.JointStatesTopic, QosProfile.SensorData);
        _imuSub = node.CreateSubscription<Imu>(parameters.ImuTopic, QosProfile.SensorData);
        _odomSub = node.CreateSubscription<Odometry>(parameters.OdomTopic, QosProfile.SensorData);
        _commandPub = node.CreatePublisher<Float64MultiArray>(parameters.CommandTopic, QosProfile.Commands);
        var periodNs = (long)(parameters.Period.TotalMicroseconds * 1000);
        _jointStamps = new StampTrack(parameters.JointStatesTimeoutCycles * periodNs);
        _imuStamps = new StampTrack(parameters.ImuTimeoutCycles * periodNs);
        _odomStamps = new StampTrack(parameters.OdomTimeoutCycles * periodNs);
    }

    public int JointCount => _jointNames.Length;

    /// <summary>The command publisher (for matching checks and counters).</summary>
    public Publisher<Float64MultiArray> CommandPublisher => _commandPub;

    /// <summary>Control thread → DDS write of each command handed to the publisher thread (ns; written by that thread).</summary>
    public Timing.LatencyHistogram CommandHandoff { get; } = new();

    /// <summary>Commands overwritten in the hand-off ring before the publisher thread sent them.</summary>
    public long DroppedCommands => _commandRing.Dropped;

    /// <summary>Commands the publisher thread wrote to DDS.</summary>
    public long HandedOffCommands => Interlocked.Read(ref _handedOff);

    private long _handedOff;

    /// <summary>The exception that stopped the publisher thread (null while it runs or after a clean stop).</summary>
    public Exception? CommandPublisherFault { get; private set; }

    /// <summary>What the OS granted the command publisher thread (null until <see cref="StartCommandPublisher"/>).</summary>
    public Timing.RealtimeReport? CommandPublisherRealtime { get; private set; }

    /// <summary>JointState messages ignored because a configured joint was missing or positions/velocities were short.</summary>
    public long RejectedJointStates => Interlocked.Read(ref _rejectedJointStates);

    /// <summary>Why the last JointState was rejected (null if none was).</summary>
    public string? LastRejection => Volatile.Read(ref _lastRejection);

    /// <summary>Starts the reader thread (wall-clock operation). Idempotent.</summary>
    public void StartReaderThread()
    {
        if (_reader is not null) return;
        _reader = new Thread(() =>
        {
            while (!_stop)
            {
                _jointSub.WaitForData(TimeSpan.FromMilliseconds(5));
                Drain();
            }
        }) { IsBackground = true, Name = "mlsh-dds-reader" };
        _reader.Start();
    }

    /// <summary>
    /// Starts the thread that publishes the commands <see cref="WriteCommand"/> hands off (wall-clock operation). With
    /// <paramref name="realtimePriority"/> the thread asks for SCHED_FIFO at that priority (give it one below the control
    /// thread's); a refusal is reported in <see cref="CommandPublisherRealtime"/>, not fatal. Call once, before the
    /// control thread starts; <see cref="StopCommandPublisher"/> sends what is queued and returns to in-place publishing.
    /// </summary>
    /// <param name="controlPeriod">The period the control thread writes commands at (the publisher polls on its phase).</param>
    public void StartCommandPublisher(TimeSpan controlPeriod, int? realtimePriority = null)
    {
        if (_commandThread is not null) throw new InvalidOperationException("the command publisher thread was already started");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(controlPeriod, TimeSpan.Zero);
        _commandPeriodNs = (long)(controlPeriod.TotalMicroseconds * 1000);
        using var started = new ManualResetEventSlim();
        _commandThread = new Thread(() =>
        {
            // DESIGN: SCHED_OTHER unless a priority is given. SCHED_BATCH (which never preempts on wake-up) was tried
            // so that a poll could not cut into a running cycle, but under it the thread ran about one period late
            // (hand-off p50 950 µs at 1 kHz); the polls are placed after the cycle's usual end instead.
            CommandPublisherRealtime = Timing.RealtimeSettings.Apply(new Timing.ControlThreadOptions
            {
                Period = controlPeriod,
                RealtimePriority = realtimePriority,
            });
            started.Set();
            try
            {
                PublishHandedOff();
            }
            catch (Exception e)
            {
                // A failing dds_write used to fault the control loop; keep that: later commands are written in place
                // again, so the next cycle meets the same error and the loop stops with it (the node reports it).
                CommandPublisherFault = e;
                _handOff = false;
            }
        }) { IsBackground = true, Name = "mlsh-command-pub" };
        _commandThread.Start();
        started.Wait();
        _handOff = true;
    }

    /// <summary>Stops the publisher thread after it has sent every queued command; later commands are published in
    /// place. Call after the control thread stopped. Idempotent.</summary>
    public void StopCommandPublisher()
    {
        if (_commandThread is null || _commandStop) return;
        _handOff = false;
        _commandStop = true;
        _commandThread.Join();
    }

    /// <summary>How often the publisher checks the ring while a command is late: period / 20, within [10, 100] µs.</summary>
    public TimeSpan CommandPollStep => TimeSpan.FromTicks(Math.Clamp(_commandPeriodNs / 20, 10_000, 100_000) / 100);

    private const long FirstCheckNs = 10_000;

    private void PublishHandedOff()
    {
        var period = _commandPeriodNs;
        var step = Math.Clamp(period / 20, 10_000, 100_000);
        var lastStamp = long.MinValue;
        long expected = 0, lateOffset = 0;
        var check = 0; // which check of the expected command the coming wake-up is (0: not tracking one)
        while (true)
        {
            var stopping = _commandStop;
            var got = false;
            while (_commandRing.TryRead(_commandOut, out var stamp))
            {
                _commandOut.CopyTo(_command.Data, 0);
                _commandPub.Publish(_command);
                CommandHandoff.Record(Timing.MonotonicClock.NowNanoseconds() - stamp);
                Interlocked.Increment(ref _handedOff);
                // A command the first check missed came from a long (sub-policy) cycle: remember how late it was. Not
                // from a stall (half a period or more late), which would make the next long cycle's check wait too long.
                if (check > 1 && stamp - expected is > 0 and var late && late < period / 2) lateOffset = late;
                lastStamp = stamp;
                got = true;
            }
            if (stopping) return;
            var now = Timing.MonotonicClock.NowNanoseconds();
            long next;
            if (lastStamp == long.MinValue || now - lastStamp > 2 * period)
            {
                // No command for two periods (loop not started, or stalled): check once a period.
                next = now + period;
                check = 0;
            }
            else if (got)
            {
                // The next command is due about one period after this one (stamped when the cycle ended): check just
                // after that, when a PD-only cycle has ended, so the wake-up does not land inside it.
                expected = lastStamp + period;
                next = expected + FirstCheckNs;
                check = 1;
            }
            else if (check == 1 && lateOffset > FirstCheckNs)
            {
                // A long cycle: its command comes about as late as the last long cycle's. Checking every step instead
                // would wake this thread several times inside the cycle (preempting the control thread on its CPU).
                next = Math.Max(expected + lateOffset + FirstCheckNs, now + step);
                check = 2;
            }
            else
            {
                next = now + step;
                check++;
            }
            Timing.MonotonicClock.SleepUntil(next);
        }
    }

    /// <summary>Takes the newest sample of every topic into the hand-off buffers. One draining thread at a time.</summary>
    /// <param name="waitForJointState">How long to wait for a joint state if none is pending (simulated time).</param>
    public void Drain(TimeSpan waitForJointState = default)
    {
        if (_jointSub.TryTake(_jointMsg) || (waitForJointState > TimeSpan.Zero && _jointSub.WaitForData(waitForJointState) && _jointSub.TryTake(_jointMsg)))
        {
            _jointStamps.Observe(_jointMsg.Header.Stamp.ToNanoseconds());
            PublishJointState();
        }
        if (_imuSub.TryTake(_imuMsg))
        {
            _imuStamps.Observe(_imuMsg.Header.Stamp.ToNanoseconds());
            RosFrames.ToWxyz(_imuMsg.Orientation, _imuScratch.AsSpan(0, 4));
            var w = _imuMsg.AngularVelocity;
            var a = _imuMsg.LinearAcceleration;
            _imuScratch[4] = w.X; _imuScratch[5] = w.Y; _imuScratch[6] = w.Z;
            _imuScratch[7] = a.X; _imuScratch[8] = a.Y; _imuScratch[9] = a.Z;
            _imu.Write(_imuScratch);
        }
        if (_odomSub.TryTake(_odomMsg))
        {
            _odomStamps.Observe(_odomMsg.Header.Stamp.ToNanoseconds());
            var p = _odomMsg.Pose.Pose.Position;
            var v = _odomMsg.Twist.Twist.Linear;
            _odomScratch[0] = p.X; _odomScratch[1] = p.Y; _odomScratch[2] = p.Z;
            _odomScratch[3] = v.X; _odomScratch[4] = v.Y; _odomScratch[5] = v.Z;
            _odom.Write(_odomScratch);
        }
    }

    /// <summary>
    /// Simulated time: drains the sensor topics until every source has delivered the sample due at
    /// <paramref name="clockNs"/> (waiting at most <paramref name="maxWait"/> of wall time), so the cycle that answers a
    /// /clock tick sees the state stamped with that tick, as in the simulator's lockstep. Allocation-free; the
    /// draining thread only.
    /// </summary>
    /// <remarks>
    /// DESIGN: a source is waited for only when its next sample is due by this tick (its last stamp plus its own
    /// publication period, learnt from the last two stamps) and its newest sample is not older than its watchdog
    /// timeout (its *_timeout_cycles of simulated time). So a source published at a lower rate than /clock (odometry at
    /// 100 Hz) is not waited for between its samples; a late source (a relay or a loaded machine) is waited for instead
    /// of tripping the watchdog in a few milliseconds of wall time while the simulator races ahead in lockstep; and a
    /// source that stopped costs at most one bounded wait per cycle until its watchdog has fired.
    /// </remarks>
    public void DrainForClock(long clockNs, TimeSpan maxWait)
    {
        Drain();
        var deadline = Timing.MonotonicClock.NowNanoseconds() + (long)(maxWait.TotalMicroseconds * 1000);
        while (true)
        {
            Subscription<JointState>? joint = _jointStamps.Due(clockNs) ? _jointSub : null;
            var imuDue = _imuStamps.Due(clockNs);
            var odomDue = _odomStamps.Due(clockNs);
            if (joint is null && !imuDue && !odomDue) return;
            var left = deadline - Timing.MonotonicClock.NowNanoseconds();
            if (left <= 0) return;
            // One waitset per subscription: wait on one that is due (at most 1 ms at a time), then drain all three.
            var slice = TimeSpan.FromTicks(Math.Clamp(left / 100, 1, TimeSpan.TicksPerMillisecond));
            if (joint is not null) joint.WaitForData(slice);
            else if (imuDue) _imuSub.WaitForData(slice);
            else _odomSub.WaitForData(slice);
            Drain();
        }
    }

    /// <summary>Forgets the stamps seen so far (the clock started a new epoch: a restarted simulator counts from 0 again).</summary>
    public void ResetStamps()
    {
        _jointStamps.Reset();
        _imuStamps.Reset();
        _odomStamps.Reset();
    }

    /// <summary>Last two header stamps of one source (ns), written and read by the draining thread only.</summary>
    private sealed class StampTrack(long watchdogNs)
    {
        private long _last = long.MinValue, _period;

        public void Observe(long stampNs)
        {
            if (_last != long.MinValue && stampNs > _last) _period = stampNs - _last;
            else if (stampNs < _last) _period = 0; // new epoch: relearn the period
            _last = stampNs;
        }

        /// <summary>True when the next sample is due at or before <paramref name="clockNs"/> and the newest is within the watchdog timeout.</summary>
        public bool Due(long clockNs)
        {
            if (_last == long.MinValue || _period <= 0) return false;
            return _last + _period <= clockNs && clockNs - _last <= watchdogNs;
        }

        public void Reset()
        {
            _last = long.MinValue;
            _period = 0;
        }
    }

    private void PublishJointState()
    {
        var names = _jointMsg.Name;
        var n = _jointNames.Length;
        for (var i = 0; i < n; i++)
        {
            var k = _jointIndex[i];
            if (k >= 0 && k < names.Length && names[k] == _jointNames[i]) continue;
            k = Array.IndexOf(names, _jointNames[i]);
            if (k < 0)
            {
                Reject($"JointState on {_jointSub.Topic} has no joint '{_jointNames[i]}' (names: [{string.Join(", ", names)}])");
                return;
            }
            _jointIndex[i] = k;
        }
        var pos = _jointMsg.Position;
        var vel = _jointMsg.Velocity;
        for (var i = 0; i < n; i++)
        {
            var k = _jointIndex[i];
            if (k >= pos.Length || k >= vel.Length)
            {
                Reject($"JointState on {_jointSub.Topic}: joint '{_jointNames[i]}' is entry {k} but position has {pos.Length} and velocity {vel.Length} entries");
                return;
            }
            _jointScratch[i] = pos[k];
            _jointScratch[n + i] = vel[k];
        }
        _joints.Write(_jointScratch);
    }

    private void Reject(string why)
    {
        Interlocked.Increment(ref _rejectedJointStates);
        if (Volatile.Read(ref _lastRejection) != why) Volatile.Write(ref _lastRejection, why);
    }

    public void ReadState(RobotStateFrame frame)
    {
        var n = _jointNames.Length;
        var seq = _joints.Read(_jointRead);
        if (seq != 0 && seq != frame.JointStateSequence)
        {
            _jointRead.AsSpan(0, n).CopyTo(frame.JointPositions);
            _jointRead.AsSpan(n, n).CopyTo(frame.JointVelocities);
            frame.JointStateSequence = seq;
        }
        seq = _imu.Read(_imuRead);
        if (seq != 0 && seq != frame.ImuSequence)
        {
            _imuRead.AsSpan(0, 4).CopyTo(frame.Orientation);
            _imuRead.AsSpan(4, 3).CopyTo(frame.AngularVelocity);
            _imuRead.AsSpan(7, 3).CopyTo(frame.LinearAcceleration);
            frame.ImuSequence = seq;
        }
        seq = _odom.Read(_odomRead);
        if (seq != 0 && seq != frame.OdomSequence)
        {
            _odomRead.AsSpan(0, 3).CopyTo(frame.Position);
            _odomRead.AsSpan(3, 3).CopyTo(frame.LinearVelocity);
            frame.OdomSequence = seq;
        }
    }

    /// <summary>Hands the efforts to the publisher thread while it runs (a copy into the ring: no I/O and no system call
    /// on the caller's thread), else publishes them in place. Allocation-free; one calling thread at a time.</summary>
    public void WriteCommand(ReadOnlySpan<double> efforts)
    {
        if (_handOff)
        {
            _commandRing.Write(efforts, Timing.MonotonicClock.NowNanoseconds());
            return;
        }
        efforts.CopyTo(_command.Data);
        _commandPub.Publish(_command);
    }

    public void Dispose()
    {
        _stop = true;
        _reader?.Join();
        StopCommandPublisher();
        _commandPub.Dispose();
        _odomSub.Dispose();
        _imuSub.Dispose();
        _jointSub.Dispose();
    }
}

using System.Globalization;
using Mlsh.Hil.Relay;
using Mlsh.Hil.Trajectories;
using Mlsh.Ros2;
using Mlsh.Ros2.Messages.DiagnosticMsgs;
using Mlsh.Ros2.Messages.NavMsgs;
using Mlsh.Ros2.Messages.StdMsgs;
using Mlsh.Ros2.Qos;

namespace Mlsh.Hil.Observation;

/// <summary>Topics the observer listens to.</summary>
public sealed record ObserverTopics(string Odom = "/odom", string ActiveSkill = "/mlsh/active_skill", string Diagnostics = "/diagnostics");

/// <summary>A safe-mode transition as the runtime reported it (robot time, s).</summary>
public readonly record struct ModeChange(double TimeS, bool Safe);

/// <summary>The runtime's own record of its last safe-mode entry and exit as one /diagnostics message carried it: raw
/// values of <see cref="RuntimeStatusKeys.LastSafeModeEntryS"/>/<see cref="RuntimeStatusKeys.LastSafeModeExitS"/> and the
/// clock epoch of each (null when the message lacked the key).</summary>
public readonly record struct SafeModeReport(string? EntryS, int? EntryEpoch, string? ExitS, int? ExitEpoch);

/// <summary>
/// Watches a run from outside, over ROS 2 only: the robot's odometry (the path), the runtime's /mlsh/active_skill
/// (std_msgs/String naming the sub-policy, e.g. "sub_policy_2"; published when the master's choice changes) and /diagnostics (every status kept,
/// newest values per key). It never publishes. Call <see cref="Poll"/> from one thread (the harness's loop); the
/// results (<see cref="Trajectory"/>, <see cref="Diagnostics"/>) belong to that thread. Dispose to unsubscribe; the
/// node is not owned.
/// </summary>
public sealed class ObserverNode : IDisposable
{
    private readonly Subscription<Odometry> _odom;
    private readonly Subscription<StringMsg> _skill;
    private readonly Subscription<DiagnosticArray> _diagnostics;
    private readonly Odometry _odomMsg = new();
    private readonly StringMsg _skillMsg = new();
    private readonly DiagnosticArray _diagMsg = new();
    private readonly ScenarioClock _clock;
    private readonly Dictionary<string, Dictionary<string, string>> _statuses = new(StringComparer.Ordinal);
    private readonly List<ModeChange> _modeChanges = [];
    private readonly List<SafeModeReport> _safeModeReports = [];
    private double _lastSampleS = double.NegativeInfinity;

    /// <param name="clock">Scenario time; the observer feeds it odometry stamps too (shared with the relay).</param>
    /// <param name="sampleEveryS">Minimum robot time between two path samples.</param>
    public ObserverNode(RosNode node, ObserverTopics topics, ScenarioClock clock, double sampleEveryS = 0.02)
    {
        _clock = clock;
        SampleEveryS = sampleEveryS;
        _odom = node.CreateSubscription<Odometry>(topics.Odom, QosProfile.SensorData);
        _skill = node.CreateSubscription<StringMsg>(topics.ActiveSkill, QosProfile.Commands);
        _diagnostics = node.CreateSubscription<DiagnosticArray>(topics.Diagnostics, QosProfile.Commands);
    }

    public double SampleEveryS { get; }
    public Trajectory Trajectory { get; } = new();

    /// <summary>Latest base position (m, maze frame), NaN before the first odometry.</summary>
    public double X { get; private set; } = double.NaN;
    public double Y { get; private set; } = double.NaN;
    public int ActiveSkill { get; private set; } = -1;
    public long OdometryCount { get; private set; }
    public long SkillMessages { get; private set; }
    public long DiagnosticsCount { get; private set; }
    /// <summary>Scenario time of the newest odometry (s).</summary>
    public double LastOdometryS { get; private set; } = double.NaN;
    public IReadOnlyList<ModeChange> ModeChanges => _modeChanges;

    /// <summary>Every distinct safe-mode record the runtime published, in arrival order (each message is looked at,
    /// not only the newest values, so two transitions reported between two polls are both seen).</summary>
    public IReadOnlyList<SafeModeReport> SafeModeReports => _safeModeReports;

    /// <summary>Newest key/value pairs of every diagnostic status seen, by status name.</summary>
    public IReadOnlyDictionary<string, Dictionary<string, string>> Diagnostics => _statuses;

    /// <summary>Blocks up to <paramref name="wait"/> for odometry, then drains every topic. Returns true if anything arrived.</summary>
    public bool Poll(TimeSpan wait)
    {
        _odom.WaitForData(wait);
        var any = false;
        while (_skill.TryTakeNext(_skillMsg))
        {
            any = true;
            SkillMessages++;
            ActiveSkill = ParseSkill(_skillMsg.Data);
            if (double.IsFinite(X)) Trajectory.AddMasterTick(_clock.NowS, X, Y, ActiveSkill);
        }
        while (_odom.TryTakeNext(_odomMsg))
        {
            any = true;
            OdometryCount++;
            var t = _clock.Observe(_odomMsg.Header.Stamp.ToNanoseconds() * 1e-9);
            double x = _odomMsg.Pose.Pose.Position.X, y = _odomMsg.Pose.Pose.Position.Y;
            if (!double.IsFinite(x) || !double.IsFinite(y)) continue;
            X = x;
            Y = y;
            LastOdometryS = t;
            if (t - _lastSampleS >= SampleEveryS - 1e-9)
            {
                Trajectory.Add(t, x, y, ActiveSkill);
                _lastSampleS = t;
            }
        }
        while (_diagnostics.TryTakeNext(_diagMsg))
        {
            any = true;
            DiagnosticsCount++;
            foreach (var status in _diagMsg.Status)
            {
                if (!_statuses.TryGetValue(status.Name, out var values)) _statuses[status.Name] = values = new(StringComparer.Ordinal);
                var wasSafe = values.TryGetValue(RuntimeStatusKeys.Mode, out var m) && IsSafe(m);
                foreach (var kv in status.Values) values[kv.Key] = kv.Value;
                values["level"] = status.Level.ToString(CultureInfo.InvariantCulture);
                values["message"] = status.Message;
                if (!status.Name.StartsWith(RuntimeStatusKeys.StatusNamePrefix, StringComparison.Ordinal)) continue;
                if (values.TryGetValue(RuntimeStatusKeys.Mode, out var mode) && IsSafe(mode) != wasSafe)
                    _modeChanges.Add(new ModeChange(_clock.NowS, IsSafe(mode)));
                var report = new SafeModeReport(Value(status, RuntimeStatusKeys.LastSafeModeEntryS), Epoch(status, RuntimeStatusKeys.LastSafeModeEntryEpoch),
                    Value(status, RuntimeStatusKeys.LastSafeModeExitS), Epoch(status, RuntimeStatusKeys.LastSafeModeExitEpoch));
                if ((report.EntryS ?? report.ExitS) is not null && (_safeModeReports.Count == 0 || _safeModeReports[^1] != report))
                    _safeModeReports.Add(report);
            }
        }
        return any;
    }

    private static string? Value(DiagnosticStatus status, string key)
    {
        foreach (var kv in status.Values)
            if (kv.Key == key) return kv.Value;
        return null;
    }

    private static int? Epoch(DiagnosticStatus status, string key) =>
        int.TryParse(Value(status, key) ?? Value(status, RuntimeStatusKeys.ClockResets), NumberStyles.None, CultureInfo.InvariantCulture, out var e) ? e : null;

    /// <summary>The runtime's status values, or null when no runtime status arrived.</summary>
    public IReadOnlyDictionary<string, string>? RuntimeStatus =>
        _statuses.FirstOrDefault(s => s.Key.StartsWith(RuntimeStatusKeys.StatusNamePrefix, StringComparison.Ordinal)).Value;

    /// <summary>The runtime writes its mode as "Safe"/"Policy" on /diagnostics and "safe"/"policy" on MQTT.</summary>
    public static bool IsSafe(string? mode) => string.Equals(mode, "safe", StringComparison.OrdinalIgnoreCase);

    /// <summary>"3", "skill 3", "3: turn-left" → 3; anything without a leading/trailing index → -1.</summary>
    public static int ParseSkill(string text)
    {
        var s = text.Trim();
        var i = 0;
        while (i < s.Length && !char.IsAsciiDigit(s[i])) i++;
        var j = i;
        while (j < s.Length && char.IsAsciiDigit(s[j])) j++;
        return j > i && int.TryParse(s.AsSpan(i, j - i), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1;
    }

    public void Dispose()
    {
        _odom.Dispose();
        _skill.Dispose();
        _diagnostics.Dispose();
    }
}

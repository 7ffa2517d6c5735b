using System.Globalization;
using System.Text;
using Mlsh.Core.IO;
using Mlsh.Core.Launch;
using Mlsh.Environments.Mazes;
using Mlsh.Hil.Observation;
using Mlsh.Hil.Processes;
using Mlsh.Hil.Relay;
using Mlsh.Hil.Reports;
using Mlsh.Hil.Scenarios;
using Mlsh.Hil.Trajectories;
using Mlsh.Mqtt;
using Mlsh.Ros2;

namespace Mlsh.Hil.Running;

/// <summary>
/// Runs one <see cref="Scenario"/>: starts what the scenario needs (MQTT broker, SimBridge, Runtime with its sensor
/// inputs remapped to the fault relay), relays and observes the robot over ROS 2, injects the faults at their
/// scenario times, stops everything (every wait bounded), evaluates the criteria and writes report.json and
/// trajectory.svg. One run per instance; blocking; not thread-safe.
/// </summary>
public sealed class ScenarioRunner
{
    /// <summary>The runtime's mqtt_topic_prefix in scenarios: operator commands on &lt;prefix&gt;/cmd
    /// (<c>{"command":"load_master","path":...,"sha256":...}</c>), command outcomes on &lt;prefix&gt;/events.</summary>
    public const string MqttTopicPrefix = "mlsh/quadruped";

    private readonly Scenario _scenario;
    private readonly HarnessOptions _options;
    private readonly RelayTopics _relayTopics = new();

    public ScenarioRunner(Scenario scenario, HarnessOptions options)
    {
        _scenario = scenario;
        _options = options;
    }

    public HilReport Run(CancellationToken cancel = default)
    {
        var s = _scenario;
        var ci = CultureInfo.InvariantCulture;
        Directory.CreateDirectory(_options.OutputDirectory);
        var (layout, layoutPath) = EffectiveLayout();
        var distance = new GeodesicDistanceField(layout);
        var startDistance = distance.DistanceToGoal(0, 0);
        var (goalX, goalY) = layout.Frame.CellCenter(layout.Goal);

        var clock = new ScenarioClock();
        var unexpected = new List<string>();
        var injected = new List<InjectedFault>();
        MosquittoBroker? broker = null;
        LaunchedNode? sim = null, runtime = null;
        var stopReason = "duration elapsed";
        bool reachedGoal = false;
        double? goalTime = null;
        var node = new RosNode("mlsh_hil", new RosNodeOptions { DomainId = _options.DomainId, QosEventSink = _ => { } });
        var relay = new FaultRelay(node, _relayTopics, s.Faults, clock);
        var observer = new ObserverNode(node, new ObserverTopics(), clock);
        var safeEntries = new SortedSet<double>();
        var safeExits = new SortedSet<double>();
        var safeModeRecord = new SafeModeRecord();
        var watchdogs = RuntimeWatchdogs();
        var events = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var telemetry = new LatestPayload();
        MqttClient? operatorClient = null;
        try
        {
            if (s.NeedsBroker)
            {
                broker = new MosquittoBroker();
                broker.Start();
                Say($"mosquitto on 127.0.0.1:{broker.Port} (user {MosquittoBroker.User}, generated password)");
                operatorClient = ConnectOperator(broker, events, telemetry);
            }
            relay.Start();
            if (s.Target == ScenarioTarget.Sim) sim = StartSim(layoutPath);
            runtime = StartRuntime(broker);

            var pending = new Queue<Fault>(s.Faults.Where(f => f.Topic is null));
            foreach (var f in s.Faults.Where(f => f.Topic is not null))
                injected.Add(new InjectedFault(f.ToString(), double.NaN, f.EndS, ScenarioLoader.SnakeCase(f.Kind.ToString()),
                    f.Kind == FaultKind.Nan ? 0 : watchdogs[f.Topic!.Value] * s.ControlPeriodS));
            var startWall = Environment.TickCount64;
            var wallBudgetMs = (long)(_options.StartupTimeout.TotalMilliseconds
                + 1000 * _options.WallTimeFactor * (s.DurationS + s.Faults.Sum(f => f.RestartAfterS + f.DurationS)));
            long? simRestartAt = null;
            var killedAt = -1;
            double brokerUpAt = double.NaN;

            while (true)
            {
                if (cancel.IsCancellationRequested) { stopReason = "stop requested"; break; }
                observer.Poll(TimeSpan.FromMilliseconds(20));
                var now = clock.NowS;
                TrackSafeMode(observer, clock, safeModeRecord, safeEntries, safeExits);

                if (!clock.Started && Environment.TickCount64 - startWall > _options.StartupTimeout.TotalMilliseconds)
                {
                    stopReason = $"no odometry from the robot within {_options.StartupTimeout.TotalSeconds:0} s";
                    break;
                }
                if (Environment.TickCount64 - startWall > wallBudgetMs)
                {
                    stopReason = string.Create(ci, $"wall-clock budget of {wallBudgetMs / 1000.0:0} s used up at scenario time {now:F2} s");
                    break;
                }
                if (now >= s.DurationS) break;
                if (!reachedGoal && double.IsFinite(observer.X) && Math.Sqrt(Sq(observer.X - goalX) + Sq(observer.Y - goalY)) <= layout.GoalRadius)
                {
                    reachedGoal = true;
                    goalTime = observer.LastOdometryS;
                    Say(string.Create(ci, $"goal reached at {goalTime:F2} s"));
                }

                var died = Ended(sim) ?? Ended(runtime);
                if (died is not null) { stopReason = died; unexpected.Add(died); break; }

                while (pending.Count > 0 && pending.Peek().AtS <= now)
                {
                    var f = pending.Dequeue();
                    Say(string.Create(ci, $"t={now:F3} s: {f}"));
                    switch (f.Kind)
                    {
                        case FaultKind.KillSim:
                            sim!.Kill();
                            simRestartAt = Environment.TickCount64 + (long)(f.RestartAfterS * 1000);
                            killedAt = injected.Count;
                            injected.Add(new InjectedFault(f.ToString(), now, now, "kill_sim", 0));
                            break;
                        case FaultKind.BrokerDown:
                            broker!.Kill();
                            brokerUpAt = now + f.DurationS;
                            injected.Add(new InjectedFault(f.ToString(), now, brokerUpAt, "broker_down"));
                            break;
                        case FaultKind.CorruptMaster:
                            PushCorruptMaster(operatorClient!);
                            injected.Add(new InjectedFault(f.ToString(), now, now, "corrupt_master"));
                            break;
                        case FaultKind.PushMaster:
                            PushMaster(operatorClient!, f.MasterPath!, "master");
                            injected.Add(new InjectedFault(f.ToString(), now, now, "push_master"));
                            break;
                    }
                }
                if (simRestartAt is { } at && Environment.TickCount64 >= at)
                {
                    Wait(sim!.StopAsync(TimeSpan.FromSeconds(10)));
                    // DESIGN: on the robot's clock a killed simulator is a clock that stops; no time passes until the
                    // new one starts its own clock at 0, so that instant (everything the dead one published has been
                    // observed by now) is when the fault reaches a runtime on /clock, which it must then notice at once.
                    observer.Poll(TimeSpan.FromMilliseconds(20));
                    var restartS = clock.NowS;
                    if (killedAt >= 0) injected[killedAt] = injected[killedAt] with { OnsetS = restartS, EndS = restartS };
                    sim = StartSim(layoutPath);
                    simRestartAt = null;
                    Say(string.Create(ci, $"simulator restarted at scenario time {restartS:F3} s"));
                }
                if (double.IsFinite(brokerUpAt) && now >= brokerUpAt)
                {
                    broker!.Start();
                    brokerUpAt = double.NaN;
                    Say("broker back up");
                }
            }
        }
        finally
        {
            // Drain what is already on the wire (the runtime's last diagnostics) before stopping.
            for (var i = 0; i < 5; i++) observer.Poll(TimeSpan.FromMilliseconds(20));
            TrackSafeMode(observer, clock, safeModeRecord, safeEntries, safeExits);
            foreach (var n in new[] { runtime, sim })
            {
                if (n is null) continue;
                var report = Wait(n.StopAsync(TimeSpan.FromSeconds(20)));
                if (report is null) unexpected.Add($"node {n.Name} did not stop within 20 s");
                else if (!n.KilledOnPurpose)
                    foreach (var failure in report.Failures)
                        if (!unexpected.Contains(failure.ToString())) unexpected.Add(failure.ToString());
            }
            relay.Dispose();
            operatorClient?.Dispose();
            broker?.Dispose();
        }

        var stats = relay.Stats();
        for (var i = 0; i < injected.Count; i++)
        {
            var f = injected[i];
            if (!double.IsNaN(f.OnsetS)) continue;
            var fault = s.Faults.First(x => x.ToString() == f.Description);
            var onset = stats.First(x => x.Topic == fault.Topic).FirstFaultS;
            injected[i] = f with { OnsetS = onset, EndS = double.IsNaN(onset) ? fault.EndS : onset + fault.DurationS };
        }
        injected.Sort((a, b) => a.OnsetS.CompareTo(b.OnsetS));

        var finalDistance = double.IsFinite(observer.X) ? distance.DistanceToGoal(observer.X, observer.Y) : startDistance;
        var run = new RunObservation
        {
            DurationS = clock.NowS,
            ReachedGoal = reachedGoal,
            GoalTimeS = goalTime,
            FinalX = double.IsFinite(observer.X) ? observer.X : 0,
            FinalY = double.IsFinite(observer.Y) ? observer.Y : 0,
            FinalPathDistanceM = finalDistance,
            StartPathDistanceM = startDistance,
            OdometryMessages = observer.OdometryCount,
            LastOdometryS = observer.LastOdometryS,
            SkillSequence = observer.Trajectory.SkillSequence(),
            MasterTicks = observer.SkillMessages,
            Faults = injected,
            SafeModeEntriesS = safeEntries.ToArray(),
            SafeModeExitsS = safeExits.ToArray(),
            RuntimeStatus = MergeStatus(observer.RuntimeStatus, telemetry.Latest),
            SimStatus = observer.Diagnostics.FirstOrDefault(d => d.Key.StartsWith("mlsh_sim", StringComparison.Ordinal)).Value,
            Relay = stats,
            UnexpectedProcessEnds = unexpected,
            OperatorEvents = [.. events],
            StopReason = stopReason,
        };
        observer.Dispose();
        node.Dispose();

        var hil = HilReport.Create(s, run);
        hil.Write(_options.OutputDirectory);
        TrajectorySvg.Write(Path.Combine(_options.OutputDirectory, "trajectory.svg"), layout, observer.Trajectory,
            $"{s.Name} on {layout.Name}: {(hil.Passed ? "pass" : "FAIL")}");
        return hil;

        static double Sq(double v) => v * v;
        static T Wait<T>(Task<T> t) => t.GetAwaiter().GetResult();
    }

    /// <summary>The runtime's safe-mode reports mapped so far (by clock epoch and raw value: each is mapped once).</summary>
    private sealed class SafeModeRecord
    {
        public readonly HashSet<(int Epoch, string Raw)> Entries = [], Exits = [];
        /// <summary>Reports still waiting for their clock epoch's first stamp, then the next unread one.</summary>
        public readonly List<SafeModeReport> Pending = [];
        public int Read;
    }

    /// <summary>Safe-mode entries/exits in scenario time: exact when the runtime reports its entry/exit times (its own
    /// clock, each in the clock epoch it was recorded in), otherwise when its /diagnostics reported the mode change.</summary>
    private static void TrackSafeMode(ObserverNode observer, ScenarioClock clock, SafeModeRecord record, SortedSet<double> entries, SortedSet<double> exits)
    {
        var reports = observer.SafeModeReports;
        if (reports.Count == 0 && record.Pending.Count == 0)
        {
            foreach (var change in observer.ModeChanges) (change.Safe ? entries : exits).Add(change.TimeS);
            return;
        }
        while (record.Read < reports.Count) record.Pending.Add(reports[record.Read++]);
        record.Pending.RemoveAll(r => Map(r.EntryS, r.EntryEpoch, record.Entries, entries) & Map(r.ExitS, r.ExitEpoch, record.Exits, exits));

        // True when done with this value (mapped now, mapped before, or not a time); false to retry later.
        bool Map(string? raw, int? reportedEpoch, HashSet<(int, string)> seen, SortedSet<double> into)
        {
            if (raw is null || !double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var robotS) || !double.IsFinite(robotS)) return true;
            var epoch = reportedEpoch ?? clock.Epoch;
            if (seen.Contains((epoch, raw))) return true;
            if (!clock.TryToScenarioTime(robotS, epoch, out var t)) return false; // that epoch's first stamp has not arrived yet
            seen.Add((epoch, raw));
            into.Add(t);
            return true;
        }
    }

    /// <summary>The runtime's status: its /diagnostics values, completed by its latest MQTT telemetry (flat JSON
    /// numbers/strings/booleans) for keys diagnostics do not carry (e.g. master_swaps).</summary>
    private static Dictionary<string, string>? MergeStatus(IReadOnlyDictionary<string, string>? diagnostics, string? telemetryJson)
    {
        var merged = diagnostics is null ? null : new Dictionary<string, string>(diagnostics);
        if (telemetryJson is null) return merged;
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(telemetryJson);
            if (doc.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object) return merged;
            merged ??= new Dictionary<string, string>();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                var text = p.Value.ValueKind switch
                {
                    System.Text.Json.JsonValueKind.String => p.Value.GetString(),
                    System.Text.Json.JsonValueKind.Number => p.Value.GetRawText(),
                    System.Text.Json.JsonValueKind.True => "true",
                    System.Text.Json.JsonValueKind.False => "false",
                    _ => null,
                };
                if (text is not null) merged.TryAdd(p.Name, text);
            }
        }
        catch (System.Text.Json.JsonException) { }
        return merged;
    }

    /// <summary>The runtime's watchdog per relayed topic, in control cycles, from the parameter file the harness starts
    /// it with (launch/params/runtime.yaml): stale data is noticed only after that many cycles, by design.</summary>
    private Dictionary<RelayTopic, int> RuntimeWatchdogs()
    {
        var p = RosNodeParameters.Load("mlsh_runtime", [Path.Combine(_options.RepositoryRoot, "launch", "params", "runtime.yaml")]);
        return new()
        {
            [RelayTopic.JointStates] = p.GetInt("joint_states_timeout_cycles"),
            [RelayTopic.Imu] = p.GetInt("imu_timeout_cycles"),
            [RelayTopic.Odom] = p.GetInt("odom_timeout_cycles"),
        };
    }

    private (MazeLayout Layout, string Path) EffectiveLayout()
    {
        if (_scenario.Start is not { } start) return (_scenario.Layout, _scenario.LayoutPath);
        var yaml = LayoutWithStart.Yaml(_scenario.Layout, start);
        var path = Path.Combine(_options.OutputDirectory, "layout.yaml");
        AtomicFile.WriteAllText(path, yaml);
        return (MazeLayout.Parse(yaml, path), path);
    }

    private LaunchedNode StartSim(string layoutPath)
    {
        var (plan, spec) = Load("sim.launch.yaml", new Dictionary<string, string> { ["layout"] = layoutPath });
        spec = spec with
        {
            Parameters = [.. spec.Parameters, LockstepPairing.SimTiming(_options.RepositoryRoot, _scenario.Timing == ScenarioTiming.Lockstep)],
            Environment = WithDomain(spec.Environment),
        };
        return new LaunchedNode(plan, spec, LaunchOptions());
    }

    private LaunchedNode StartRuntime(MosquittoBroker? broker)
    {
        var args = new Dictionary<string, string>();
        if (_scenario.ModelsDir is { } models) args["models"] = models;
        var (plan, spec) = Load("runtime.launch.yaml", args);
        var values = new List<KeyValuePair<string, string>>
        {
            new("use_sim_time", _scenario.Target == ScenarioTarget.Sim ? "true" : "false"),
            new("joint_states_topic", _relayTopics.JointStatesOut),
            new("imu_topic", _relayTopics.ImuOut),
            new("odom_topic", _relayTopics.OdomOut),
            new("mqtt_host", broker is null ? "" : "127.0.0.1"),
        };
        if (broker is not null)
        {
            values.Add(new("mqtt_port", broker.Port.ToString(CultureInfo.InvariantCulture)));
            values.Add(new("mqtt_user", MosquittoBroker.User));
            values.Add(new("mqtt_password_file", broker.PasswordFile));
            values.Add(new("mqtt_topic_prefix", MqttTopicPrefix));
        }
        spec = spec with
        {
            Parameters = [.. spec.Parameters, NodeParameterSource.FromValues(values)],
            Environment = WithDomain(spec.Environment),
        };
        return new LaunchedNode(plan, spec, LaunchOptions());
    }

    private (LaunchPlan Plan, ProcessSpec Spec) Load(string launchFile, IReadOnlyDictionary<string, string> args)
    {
        var resolver = new MlshBringupResolver(_options.RepositoryRoot, _options.CliCommand);
        var plan = new LaunchFileLoader(resolver).Load(Path.Combine(_options.RepositoryRoot, "launch", launchFile), args);
        return (plan, plan.Processes.Single());
    }

    private Dictionary<string, string?> WithDomain(IReadOnlyDictionary<string, string?> env) =>
        new(env) { ["ROS_DOMAIN_ID"] = _options.DomainId.ToString(CultureInfo.InvariantCulture) };

    private LaunchOptions LaunchOptions() => new()
    {
        Output = _options.Log,
        Error = _options.Log,
        SigtermTimeout = TimeSpan.FromSeconds(3),
        SigkillTimeout = TimeSpan.FromSeconds(3),
    };

    private static string? Ended(LaunchedNode? n)
    {
        if (n is null || !n.HasEnded || n.KilledOnPurpose) return null;
        var failure = n.Report?.Processes.FirstOrDefault();
        return failure is null ? $"node {n.Name} ended" : failure.ToString();
    }

    /// <summary>The harness's operator connection: it pushes commands and collects the runtime's command outcomes
    /// (&lt;prefix&gt;/events), which arrive on the MQTT network thread.</summary>
    private static MqttClient ConnectOperator(MosquittoBroker broker, System.Collections.Concurrent.ConcurrentQueue<string> events, LatestPayload telemetry)
    {
        var client = new MqttClient($"mlsh-hil-{Environment.ProcessId}");
        client.MessageReceived += (in MqttMessage m) =>
        {
            if (m.Topic.EndsWith("/telemetry", StringComparison.Ordinal)) telemetry.Latest = Encoding.UTF8.GetString(m.Payload);
            else events.Enqueue(Encoding.UTF8.GetString(m.Payload));
        };
        client.Connect(new MqttConnectOptions
        {
            Host = "127.0.0.1",
            Port = broker.Port,
            Username = MosquittoBroker.User,
            Password = broker.Password,
            ReconnectDelay = TimeSpan.FromSeconds(1),
            ReconnectDelayMax = TimeSpan.FromSeconds(1),
        });
        client.Subscribe($"{MqttTopicPrefix}/events", MqttQos.AtLeastOnce);
        client.Subscribe($"{MqttTopicPrefix}/telemetry", MqttQos.AtMostOnce);
        return client;
    }

    /// <summary>Writes a file that is not an ONNX model and asks the runtime to load it as its master (with the
    /// file's true SHA-256, so the command itself is well-formed and only the model is bad).</summary>
    private void PushCorruptMaster(MqttClient client)
    {
        var path = Path.Combine(_options.OutputDirectory, "corrupt-master.onnx");
        AtomicFile.WriteAllText(path, "this is not an ONNX model: the runtime must reject it and keep its current master\n");
        PushMaster(client, path, "corrupt master");
    }

    /// <summary>Sends load_master for <paramref name="path"/> with its SHA-256 on the operator command topic.</summary>
    private void PushMaster(MqttClient client, string path, string what)
    {
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
        var deadline = Environment.TickCount64 + 5000;
        while (client.State != MqttConnectionState.Connected && Environment.TickCount64 < deadline) Thread.Sleep(10);
        var payload = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["command"] = "load_master", ["path"] = path, ["sha256"] = sha,
        });
        var result = client.Publish($"{MqttTopicPrefix}/cmd", payload, MqttQos.AtLeastOnce, retain: false);
        Say($"{what} pushed ({path}): {result}");
    }

    /// <summary>The newest telemetry payload, written by the MQTT network thread.</summary>
    private sealed class LatestPayload
    {
        private string? _latest;
        public string? Latest { get => Volatile.Read(ref _latest); set => Volatile.Write(ref _latest, value); }
    }

    private void Say(string message)
    {
        lock (_options.Log) _options.Log.WriteLine($"[hil] {message}");
    }
}

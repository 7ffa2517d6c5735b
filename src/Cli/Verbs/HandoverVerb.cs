using System.Collections.Concurrent;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mlsh.Core.Configuration;
using Mlsh.Mqtt;
using Mlsh.Onnx.Manifest;
using Mlsh.Trainer.Mlsh;

namespace Mlsh.Cli.Verbs;

/// <summary>
/// `./mlsh handover`: the operator's side of the certified handover (docs/handover.md). Puts a candidate master in
/// shadow on the running Runtime, runs K simulated episodes of the candidate on the new layout (the Trainer's
/// Evaluator, MuJoCo), sends the counts with certify_master and reports the Runtime's decision from its events topic.
/// </summary>
public sealed class HandoverVerb : IVerb
{
    private const string Help =
        "Certify a new master on a running Runtime (MQTT): shadow_master (the candidate computes its choices at every master " +
        "tick without acting), K simulated episodes of the candidate on the layout, then certify_master with the counts. The " +
        "Runtime promotes it only when the lower confidence bound on its success rate beats its handover_threshold (and the " +
        "incumbent's rate with --incumbent) and writes the evidence. Exit 0 = promoted, 1 = rejected or failed, 2 = bad input.";

    /// <summary>What one handover needs (the parsed command line).</summary>
    internal sealed record Request
    {
        public required string Models { get; init; }
        public required string Layout { get; init; }
        public int Episodes { get; init; } = 60;
        public ulong Seed { get; init; } = 1;
        public string? Incumbent { get; init; }
        /// <summary>The candidate's master.onnx as the Runtime's machine sees it (default: this machine's path).</summary>
        public string? RemoteMasterPath { get; init; }
        public required string MqttHost { get; init; }
        public int MqttPort { get; init; } = 1883;
        public required string MqttUser { get; init; }
        public required string MqttPasswordFile { get; init; }
        public string TopicPrefix { get; init; } = "mlsh/quadruped";
        public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(300);
        public bool Json { get; init; }
    }

    public Command Build()
    {
        var models = new Option<string>("--models") { Description = "The candidate's exported bundle (manifest.yaml + master.onnx + models.yaml), e.g. a retune's --out.", Required = true };
        var layout = new Option<string>("--layout") { Description = "The layout YAML the candidate must solve (the simulated episodes run on it).", Required = true };
        var episodes = new Option<int>("--episodes") { Description = "Simulated episodes of the candidate.", DefaultValueFactory = _ => 60 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the simulated episodes.", DefaultValueFactory = _ => 1 };
        var incumbent = new Option<string?>("--incumbent") { Description = "The running bundle: evaluate it on the same layout too, so the candidate must also beat it." };
        var remote = new Option<string?>("--master-path") { Description = "The candidate's master.onnx as the Runtime's machine sees it (default: its path here)." };
        var host = new Option<string>("--mqtt-host") { Description = "The Runtime's MQTT broker.", Required = true };
        var port = new Option<int>("--mqtt-port") { Description = "Broker port.", DefaultValueFactory = _ => 1883 };
        var user = new Option<string>("--mqtt-user") { Description = "MQTT user allowed by the broker's ACL to write <prefix>/cmd.", Required = true };
        var passwordFile = new Option<string>("--mqtt-password-file") { Description = "A file holding only that user's password.", Required = true };
        var prefix = new Option<string>("--mqtt-topic-prefix") { Description = "The Runtime's mqtt_topic_prefix.", DefaultValueFactory = _ => "mlsh/quadruped" };
        var timeout = new Option<double>("--timeout-s") { Description = "Longest wait for each Runtime answer (the decision waits for shadow ticks).", DefaultValueFactory = _ => 300 };
        var json = new Option<bool>("--json") { Description = "End with one JSON line {decision, candidate_sha256, layout, episodes, successes, runtime_message, evidence, ...}." };
        var cmd = new Command("handover", Help) { models, layout, episodes, seed, incumbent, remote, host, port, user, passwordFile, prefix, timeout, json };
        cmd.SetAction(parse => Run(new Request
        {
            Models = parse.GetValue(models)!,
            Layout = parse.GetValue(layout)!,
            Episodes = parse.GetValue(episodes),
            Seed = parse.GetValue(seed),
            Incumbent = parse.GetValue(incumbent),
            RemoteMasterPath = parse.GetValue(remote),
            MqttHost = parse.GetValue(host)!,
            MqttPort = parse.GetValue(port),
            MqttUser = parse.GetValue(user)!,
            MqttPasswordFile = parse.GetValue(passwordFile)!,
            TopicPrefix = parse.GetValue(prefix)!,
            Timeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
            Json = parse.GetValue(json),
        }, Console.Out, Console.Error));
        return cmd;
    }

    /// <summary>Runs one handover; returns the exit code (0 promoted, 1 rejected or failed on the Runtime, 2 bad input).</summary>
    internal static int Run(Request r, TextWriter stdout, TextWriter stderr)
    {
        int Bad(string message)
        {
            stderr.WriteLine($"error: handover: {message}");
            return 2;
        }
        if (r.Episodes < 1) return Bad($"--episodes must be >= 1, got {r.Episodes}");
        if (r.MqttPort is < 1 or > 65535) return Bad($"--mqtt-port must be 1..65535, got {r.MqttPort}");
        if (!(r.Timeout > TimeSpan.Zero)) return Bad($"--timeout-s must be > 0, got {r.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}");
        if (r.TopicPrefix.Length == 0 || r.TopicPrefix.AsSpan().IndexOfAny("#+") >= 0 || r.TopicPrefix.EndsWith('/'))
            return Bad($"--mqtt-topic-prefix must be a plain topic prefix without wildcards or trailing '/', got '{r.TopicPrefix}'");
        if (!File.Exists(r.Layout)) return Bad($"--layout {r.Layout}: no such file");
        var manifestPath = Path.Combine(r.Models, ManifestYaml.FileName);
        if (!File.Exists(manifestPath)) return Bad($"--models {r.Models}: no {ManifestYaml.FileName}; export the candidate first (./mlsh retune writes one, or ./mlsh export)");
        string password;
        try
        {
            password = File.ReadAllText(r.MqttPasswordFile).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Bad($"--mqtt-password-file {r.MqttPasswordFile}: {e.Message}");
        }
        if (password.Length == 0) return Bad($"--mqtt-password-file {r.MqttPasswordFile} is empty, expected the MQTT password");

        string masterPath, sha;
        Func<EvalResult> evaluateCandidate;
        Func<EvalResult>? evaluateIncumbent = null;
        try
        {
            var manifest = ManifestYaml.Load(manifestPath);
            masterPath = Path.GetFullPath(Path.Combine(r.Models, manifest.Models.Master.File));
            sha = manifest.Models.Master.Sha256;
            if (!File.Exists(masterPath)) return Bad($"--models {r.Models}: the manifest names {manifest.Models.Master.File}, which is missing");
            // Loaded now, evaluated after the shadow push: bad input is reported before anything reaches the robot.
            evaluateCandidate = Evaluation(r.Models, r.Layout, r.Episodes, r.Seed);
            if (r.Incumbent is not null) evaluateIncumbent = Evaluation(r.Incumbent, r.Layout, r.Episodes, r.Seed);
        }
        catch (Exception e) when (e is ConfigException or Mlsh.NeuralNets.Serialization.PolicyFileException or IOException)
        {
            return Bad(e.Message);
        }

        using var client = new MqttClient($"mlsh-handover-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        var events = new BlockingCollection<(string Level, string Source, string Message)>();
        var eventTopic = r.TopicPrefix + "/events";
        client.MessageReceived += (in MqttMessage m) =>
        {
            try
            {
                using var doc = JsonDocument.Parse(m.Payload.ToArray());
                var root = doc.RootElement;
                events.Add((root.GetProperty("level").GetString() ?? "", root.GetProperty("source").GetString() ?? "", root.GetProperty("message").GetString() ?? ""));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                // Not a runtime event (another publisher on the topic): ignored.
            }
        };
        using var subscribed = new ManualResetEventSlim();
        client.SubscribeCompleted += _ => subscribed.Set();
        client.Connect(new MqttConnectOptions { Host = r.MqttHost, Port = r.MqttPort, Username = r.MqttUser, Password = password });
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (client.State != MqttConnectionState.Connected)
        {
            if (DateTime.UtcNow > until) return Fail(stderr, $"cannot connect to MQTT {r.MqttHost}:{r.MqttPort} as {r.MqttUser} within 10 s ({client.LastError ?? "no answer"})");
            Thread.Sleep(10);
        }
        client.Subscribe(eventTopic, MqttQos.AtLeastOnce);
        if (!subscribed.Wait(TimeSpan.FromSeconds(10))) return Fail(stderr, $"the broker did not confirm the subscription to {eventTopic}");

        // 1. Shadow first: the candidate accumulates master ticks on the robot while the simulated episodes run here.
        var shadowPath = r.RemoteMasterPath ?? masterPath;
        Send(client, r.TopicPrefix, new Dictionary<string, object> { ["command"] = "shadow_master", ["path"] = shadowPath, ["sha256"] = sha });
        var shadow = WaitFor(events, r.Timeout, e => e.Source == "handover" && (e.Message.Contains(sha, StringComparison.OrdinalIgnoreCase) || e.Message.StartsWith("shadow_master failed", StringComparison.Ordinal)));
        if (shadow is null) return Fail(stderr, $"no answer to shadow_master on {eventTopic} within {r.Timeout.TotalSeconds} s (is the Runtime running with mqtt_topic_prefix {r.TopicPrefix}, and may {r.MqttUser} write {r.TopicPrefix}/cmd?)");
        if (shadow.Value.Level != "info") return Fail(stderr, $"the Runtime refused the candidate: {shadow.Value.Message}");
        stdout.WriteLine($"runtime: {shadow.Value.Message}");

        // 2. The simulated evaluation on the new layout (MuJoCo through the Trainer's Evaluator).
        EvalResult candidate;
        EvalResult? incumbentResult;
        try
        {
            candidate = evaluateCandidate();
            incumbentResult = evaluateIncumbent?.Invoke();
        }
        catch (ArgumentException e)
        {
            return Bad($"the bundle does not fit the layout {r.Layout}: {e.Message}");
        }
        var successes = (int)Math.Round(candidate.SuccessRate * candidate.Episodes);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"candidate {masterPath} (sha256 {sha}): {successes}/{candidate.Episodes} simulated successes on {r.Layout}"));
        var incumbentSuccesses = incumbentResult is { } ir ? (int)Math.Round(ir.SuccessRate * ir.Episodes) : 0;
        if (incumbentResult is not null)
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"incumbent {r.Incumbent}: {incumbentSuccesses}/{incumbentResult.Episodes} simulated successes on {r.Layout}"));

        // 3. Certify: the Runtime's gate waits for handover_min_shadow_ticks itself, then decides and writes the evidence.
        var certify = new Dictionary<string, object>
        {
            ["command"] = "certify_master", ["sha256"] = sha, ["episodes"] = candidate.Episodes, ["successes"] = successes, ["layout"] = r.Layout,
        };
        if (incumbentResult is not null)
        {
            certify["incumbent_episodes"] = incumbentResult.Episodes;
            certify["incumbent_successes"] = incumbentSuccesses;
        }
        Send(client, r.TopicPrefix, certify);
        var decision = WaitFor(events, r.Timeout, e => e.Source == "handover" && (e.Message.StartsWith("handover ", StringComparison.Ordinal) || e.Message.StartsWith("certify_master", StringComparison.Ordinal))
                                                       || (e.Source == "mqtt" && e.Level == "error"));
        if (decision is null) return Fail(stderr, $"no handover decision on {eventTopic} within {r.Timeout.TotalSeconds} s");
        var text = decision.Value.Message;
        if (!text.StartsWith("handover ", StringComparison.Ordinal)) return Fail(stderr, $"the Runtime did not decide: {text}");
        var promoted = text.StartsWith("handover promote", StringComparison.Ordinal);
        var evidenceAt = text.LastIndexOf("; evidence ", StringComparison.Ordinal);
        var evidence = evidenceAt >= 0 ? text[(evidenceAt + "; evidence ".Length)..] : "";
        stdout.WriteLine($"runtime: {text}");
        if (r.Json)
        {
            // JsonOut's format, on the given writer (tests run the verb in-process).
            stdout.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["decision"] = promoted ? "promote" : "reject",
                ["candidate_sha256"] = sha,
                ["layout"] = r.Layout,
                ["episodes"] = candidate.Episodes,
                ["successes"] = successes,
                ["incumbent_episodes"] = incumbentResult?.Episodes,
                ["incumbent_successes"] = incumbentResult is null ? null : incumbentSuccesses,
                ["runtime_message"] = text,
                ["evidence"] = evidence,
            }));
        }
        return promoted ? 0 : 1;
    }

    /// <summary>Loads a models directory and its task (throws on bad input now); the returned call runs the episodes.</summary>
    private static Func<EvalResult> Evaluation(string dir, string layout, int episodes, ulong seed)
    {
        var (description, subs, master) = ModelsDirectory.Load(dir);
        if (master is null) throw new ConfigException($"{dir} holds sub-policies but no master; learn one with ./mlsh retune first", dir);
        var (family, task, _) = Retuner.FamilyFor(description, layout, null, dir);
        return () =>
        {
            using var owned = family as IDisposable;
            return Evaluator.Run(family, task, subs, master, description.MacroSteps, episodes, seed);
        };
    }

    private static void Send(MqttClient client, string prefix, Dictionary<string, object> command) =>
        client.Publish(prefix + "/cmd", JsonSerializer.SerializeToUtf8Bytes(command), MqttQos.AtLeastOnce);

    private static (string Level, string Source, string Message)? WaitFor(BlockingCollection<(string Level, string Source, string Message)> events, TimeSpan timeout,
        Func<(string Level, string Source, string Message), bool> match)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = until - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !events.TryTake(out var e, left)) return null;
            // A command the Runtime could not parse is answered by its MQTT side only: that is the answer too.
            if (match(e) || (e.Source == "mqtt" && e.Level == "error")) return e;
        }
    }

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine($"error: handover: {message}");
        return 1;
    }
}

using System.Diagnostics;
using System.Text;
using Mlsh.Mqtt.Tests.Broker;

namespace Mlsh.Mqtt.Tests;

public sealed class MqttClientTests : IDisposable
{
    private readonly MosquittoBroker _broker = new();
    private readonly List<IDisposable> _clients = [];

    public void Dispose()
    {
        foreach (var c in _clients) c.Dispose();
        _broker.Dispose();
    }

    private (MqttClient Client, Inbox Inbox) NewClient(string role)
    {
        var client = new MqttClient($"{role}-{Guid.NewGuid():N}");
        _clients.Add(client);
        return (client, new Inbox(client));
    }

    private (MqttClient Client, Inbox Inbox) Connected(string user, MqttWill? will = null, params string[] subscriptions)
    {
        var (client, inbox) = NewClient(user);
        client.Connect(_broker.OptionsFor(user, will: will));
        Wait.ForState(client, MqttConnectionState.Connected);
        foreach (var filter in subscriptions) inbox.WaitSubscribed(client.Subscribe(filter, MqttQos.AtLeastOnce));
        return (client, inbox);
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void PublishAndSubscribe_RoundTrip_DeliversTopicPayloadAndQos()
    {
        var (_, inbox) = Connected(MosquittoBroker.OperatorUser, subscriptions: "mlsh/telemetry");
        var (runtime, _) = Connected(MosquittoBroker.RuntimeUser);

        var result = runtime.Publish("mlsh/telemetry", Utf8("""{"mode":"auto","cycle_p99_us":412}"""), MqttQos.AtLeastOnce);

        result.Should().Be(MqttPublishResult.Queued);
        var got = inbox.WaitFor(m => m.Topic == "mlsh/telemetry", "telemetry at the operator");
        got.Payload.Should().Be("""{"mode":"auto","cycle_p99_us":412}""");
        got.Qos.Should().Be(MqttQos.AtLeastOnce);
        got.Retain.Should().BeFalse();
        runtime.PublishedCount.Should().Be(1);
    }

    [Theory]
    [InlineData(MosquittoBroker.RuntimeUser, "wrong-password")]
    [InlineData("intruder", "guess")]
    public void Connect_WithBadCredentials_IsRefusedWithTheBrokersReason_AndDoesNotRetry(string user, string password)
    {
        var (client, _) = NewClient("bad");
        var states = new List<MqttConnectionState>();
        client.StateChanged += s => { lock (states) states.Add(s); };

        client.Connect(_broker.OptionsFor(user, password));
        Wait.ForState(client, MqttConnectionState.Refused);
        Thread.Sleep(1500); // longer than the 1 s reconnect delay: a retry would show up as another state change

        client.LastError.Should().StartWith("Connection Refused: ").And.MatchRegex("not authori[sz]ed|bad user name or password");
        lock (states) states.Should().Equal(MqttConnectionState.Refused);
        client.Publish("mlsh/cmd", Utf8("estop")).Should().Be(MqttPublishResult.DroppedNotConnected);
    }

    [Fact]
    public void AnonymousAndUnauthorisedClients_CannotCommandTheRobot()
    {
        var (_, robot) = Connected(MosquittoBroker.RuntimeUser, subscriptions: "mlsh/cmd");
        var (viewer, viewerInbox) = Connected(MosquittoBroker.ViewerUser);
        var (op, opInbox) = Connected(MosquittoBroker.OperatorUser);

        // A viewer may connect but its ACL has no write on mlsh/cmd: the broker acknowledges and drops the message.
        viewer.Publish("mlsh/cmd", Utf8("""{"cmd":"resume","from":"viewer"}"""), MqttQos.AtLeastOnce, false, out var viewerMid)
            .Should().Be(MqttPublishResult.Queued);
        viewerInbox.WaitPublished(viewerMid);
        // A client without credentials is refused at CONNECT (mosquitto_pub is an independent client).
        var anonymous = Process.Start(new ProcessStartInfo("mosquitto_pub",
            ["-h", "127.0.0.1", "-p", $"{_broker.Port}", "-t", "mlsh/cmd", "-m", "{\"cmd\":\"resume\",\"from\":\"anonymous\"}", "-q", "1"])
            { RedirectStandardError = true, RedirectStandardOutput = true })!;
        anonymous.WaitForExit(10_000).Should().BeTrue();
        anonymous.ExitCode.Should().NotBe(0, "the broker refuses anonymous clients");
        // The operator's command goes through; the broker handled both earlier publishes before this one.
        op.Publish("mlsh/cmd", Utf8("""{"cmd":"estop","from":"operator"}"""), MqttQos.AtLeastOnce, false, out var opMid);
        opInbox.WaitPublished(opMid);

        robot.WaitFor(m => m.Payload.Contains("operator"), "the operator's e-stop");
        robot.Messages.Select(m => m.Payload).Should().ContainSingle().Which.Should().Contain("estop");
    }

    [Fact]
    public void LastWill_IsPublishedByTheBroker_WhenTheConnectionDiesWithoutDisconnect()
    {
        var (_, dashboard) = Connected(MosquittoBroker.OperatorUser, subscriptions: "mlsh/status");
        var will = new MqttWill("mlsh/status", Utf8("""{"state":"dead"}"""), MqttQos.AtLeastOnce, Retain: true);
        var (node, _) = Connected(MosquittoBroker.RuntimeUser, will);
        node.Publish("mlsh/status", Utf8("""{"state":"online"}"""), MqttQos.AtLeastOnce, retain: true);
        dashboard.WaitFor(m => m.Payload.Contains("online"), "online status");

        node.SimulateConnectionLoss();

        var dead = dashboard.WaitFor(m => m.Payload.Contains("dead"), "the last will");
        dead.Topic.Should().Be("mlsh/status");
        Wait.ForState(node, MqttConnectionState.Connected); // and the node comes back by itself
    }

    [Fact]
    public void LastWill_IsNotPublished_WhenTheClientDisconnectsCleanly()
    {
        var (_, dashboard) = Connected(MosquittoBroker.OperatorUser, subscriptions: "mlsh/status");
        var will = new MqttWill("mlsh/status", Utf8("dead"), MqttQos.AtLeastOnce, Retain: false);
        var (node, _) = Connected(MosquittoBroker.RuntimeUser, will);

        node.Dispose();
        var (other, otherInbox) = Connected(MosquittoBroker.RuntimeUser);
        other.Publish("mlsh/status", Utf8("sentinel"), MqttQos.AtLeastOnce, false, out var mid);
        otherInbox.WaitPublished(mid);
        dashboard.WaitFor(m => m.Payload == "sentinel", "the sentinel after the clean disconnect");

        dashboard.Messages.Select(m => m.Payload).Should().Equal("sentinel");
        node.State.Should().Be(MqttConnectionState.Closed);
    }

    [Fact]
    public void RetainedStatus_IsDeliveredToALateSubscriber_MarkedRetained()
    {
        var (node, nodeInbox) = Connected(MosquittoBroker.RuntimeUser);
        node.Publish("mlsh/status", Utf8("""{"state":"online","skill":2}"""), MqttQos.AtLeastOnce, true, out var mid);
        nodeInbox.WaitPublished(mid);

        var (_, late) = Connected(MosquittoBroker.ViewerUser, subscriptions: "mlsh/status");

        var got = late.WaitFor(m => m.Topic == "mlsh/status", "retained status");
        got.Retain.Should().BeTrue();
        got.Payload.Should().Contain("\"skill\":2");
    }

    [Fact]
    public void BrokerOutage_ClientReportsReconnecting_DropsPublishesWithoutThrowing_AndRecoversWithItsSubscriptions()
    {
        var (node, nodeInbox) = Connected(MosquittoBroker.RuntimeUser, subscriptions: "mlsh/cmd");

        _broker.Stop();
        Wait.ForState(node, MqttConnectionState.Reconnecting);
        node.LastError.Should().NotBeNullOrEmpty();
        var dropsBefore = node.DroppedCount;
        for (var i = 0; i < 100; i++)
            node.Publish("mlsh/telemetry", Utf8("{}"), MqttQos.AtLeastOnce).Should().Be(MqttPublishResult.DroppedNotConnected);
        node.DroppedCount.Should().Be(dropsBefore + 100);

        _broker.Start();
        Wait.ForState(node, MqttConnectionState.Connected, TimeSpan.FromSeconds(20));
        var (op, _) = Connected(MosquittoBroker.OperatorUser);
        // The subscription is renewed asynchronously after CONNACK; keep commanding until it is in place.
        Wait.Until(() =>
        {
            op.Publish("mlsh/cmd", Utf8("resume"), MqttQos.AtLeastOnce);
            Thread.Sleep(50);
            return nodeInbox.Messages.Any(m => m.Payload == "resume");
        }, "a command after the broker came back");
    }

    [Fact]
    public void Connect_BeforeTheBrokerIsUp_KeepsRetryingAndConnectsWhenItStarts()
    {
        using var late = new MosquittoBroker(start: false);
        var (client, _) = NewClient("early");

        client.Connect(late.OptionsFor(MosquittoBroker.RuntimeUser));
        client.State.Should().BeOneOf(MqttConnectionState.Connecting, MqttConnectionState.Reconnecting);
        Thread.Sleep(300);
        client.State.Should().NotBe(MqttConnectionState.Connected);
        late.Start();

        Wait.ForState(client, MqttConnectionState.Connected, TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void Publish_BeforeConnect_IsDroppedAndCounted()
    {
        var (client, _) = NewClient("idle");

        client.Publish("mlsh/telemetry", Utf8("{}")).Should().Be(MqttPublishResult.DroppedNotConnected);

        client.DroppedCount.Should().Be(1);
        client.PublishedCount.Should().Be(0);
    }

    [Fact]
    public void Publish_WhenConnected_AllocatesNothing()
    {
        var (node, _) = Connected(MosquittoBroker.RuntimeUser);
        var payload = Utf8("""{"mode":"auto","cycle_p50_us":120,"cycle_p99_us":410}""");
        for (var i = 0; i < 100; i++) node.Publish("mlsh/telemetry", payload);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) node.Publish("mlsh/telemetry", payload);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().Be(0);
        node.PublishedCount.Should().Be(1100);
    }

    [Fact]
    public void Publish_ToAWildcardTopic_ThrowsNamingTheTopic()
    {
        var (node, _) = Connected(MosquittoBroker.RuntimeUser);

        var act = () => node.Publish("mlsh/#", Utf8("x"));

        act.Should().Throw<ArgumentException>().WithMessage("*'mlsh/#'*");
    }

    [Fact]
    public void HandlerException_IsCaughtAndCounted_AndLaterMessagesStillArrive()
    {
        var (robot, inbox) = NewClient(MosquittoBroker.RuntimeUser);
        robot.MessageReceived += (in MqttMessage m) =>
        {
            if (m.Payload.SequenceEqual("malformed"u8)) throw new FormatException("command is not JSON");
        };
        robot.MessageReceived += (in MqttMessage m) => robot.Dispose(); // not allowed on the network thread: must be a caught fault
        robot.Connect(_broker.OptionsFor(MosquittoBroker.RuntimeUser));
        Wait.ForState(robot, MqttConnectionState.Connected);
        inbox.WaitSubscribed(robot.Subscribe("mlsh/cmd"));
        var (op, _) = Connected(MosquittoBroker.OperatorUser);

        op.Publish("mlsh/cmd", Utf8("malformed"), MqttQos.AtLeastOnce);
        op.Publish("mlsh/cmd", Utf8("""{"cmd":"estop"}"""), MqttQos.AtLeastOnce);

        inbox.WaitFor(m => m.Payload.Contains("estop"), "the command after the malformed one");
        Wait.Until(() => robot.CallbackFaultCount >= 3, "faults for both handler exceptions");
        robot.State.Should().Be(MqttConnectionState.Connected);
        _ = robot.LastCallbackFault.Should().NotBeNull();
    }

    [Fact]
    public void Connect_WithInvalidOptions_ThrowsNamingTheField()
    {
        var (client, _) = NewClient("opts");
        var good = _broker.OptionsFor(MosquittoBroker.RuntimeUser);

        client.Invoking(c => c.Connect(good with { Username = "" })).Should().Throw<ArgumentException>().WithParameterName("Username");
        client.Invoking(c => c.Connect(good with { Port = 0 })).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Port");
        client.Invoking(c => c.Connect(good with { Will = new MqttWill("mlsh/+", [1]) })).Should().Throw<ArgumentException>().WithParameterName("Will");
        client.Invoking(c => c.Connect(good with { Tls = new MqttTls("/nonexistent/ca.pem") }))
            .Should().Throw<FileNotFoundException>().WithMessage("*CaFile*ca.pem*");
        client.State.Should().Be(MqttConnectionState.Idle);
    }

    [Fact]
    public void Connect_Twice_Throws()
    {
        var (client, _) = Connected(MosquittoBroker.RuntimeUser);

        client.Invoking(c => c.Connect(_broker.OptionsFor(MosquittoBroker.RuntimeUser)))
            .Should().Throw<InvalidOperationException>().WithMessage("*already connecting*");
    }
}

using Mlsh.Environments.Observations;
using Mlsh.Onnx.Export;
using Mlsh.Onnx.Graph;
using Mlsh.Onnx.Manifest;
using Mlsh.Ros2;
using Mlsh.Ros2.Messages.StdMsgs;
using Mlsh.Ros2.Qos;
using Mlsh.Runtime.Configuration;
using Mlsh.Runtime.Control;
using Mlsh.Runtime.Tests.TestSupport;

namespace Mlsh.Runtime.Tests.Node;

/// <summary>/mlsh/active_skill over real Cyclone DDS (loopback, private domain) while the whole node runs.</summary>
public sealed class RuntimeNodeActiveSkillTests : IDisposable
{
    private readonly QuadrupedBundle _models = new(seed: 11);
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-runtime-skill-").FullName;
    private readonly PrivateDomain _ros = new();

    public void Dispose()
    {
        _models.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>
    /// The test bundle's sub-policies with a master whose choice the test controls: logits (x, -x, -5) of the base
    /// position x in the odometry, so sub_policy_0 east of the start (x &gt; 0) and sub_policy_1 west of it.
    /// </summary>
    private string BundleWithPositionMaster()
    {
        var size = _models.Master.ObservationSize;
        var x = DeploymentContract.LayoutFor(QuadrupedBundle.Joints.Length)[ObservationLayout.BasePositionXy].Offset;
        var weights = new float[QuadrupedBundle.SubPolicyCount * size];
        weights[0 * size + x] = 1f;
        weights[1 * size + x] = -1f;
        var bias = new float[QuadrupedBundle.SubPolicyCount];
        bias[2] = -5f;
        var master = new PolicyGraphSpec(size, new float[size], Enumerable.Repeat(1f, size).ToArray(), 10f,
            [new DenseLayer(size, QuadrupedBundle.SubPolicyCount, weights, bias, Activation.None)]);
        var dir = Path.Combine(_dir, "bundle");
        HierarchyExporter.Export(_models.SubPolicies, master, _models.Contract, dir);
        return dir;
    }

    private static void WaitFor(Func<bool> condition, TimeSpan timeout, Func<string> what)
    {
        var until = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"{what()} not within {timeout}");
            Thread.Sleep(5);
        }
    }

    [Fact]
    public void ActiveSkill_IsPublishedOverDds_OncePerSwitchOfTheMastersChoice_AndNamesTheControllersSubPolicy()
    {
        var p = TestParameters.Load(_dir, v =>
        {
            // Watchdogs at 10 s: this test is about the skill topic. Once, under a full test run on a loaded machine,
            // the controller had left policy mode (active sub-policy -1) right after publishing its first skill, as a
            // stand-in stalled past 1 s of watchdog would make it; the watchdogs have their own tests.
            v["joint_states_timeout_cycles"] = "5000";
            v["imu_timeout_cycles"] = "5000";
            v["odom_timeout_cycles"] = "5000";
        }, BundleWithPositionMaster());
        using var runtime = new RuntimeNode(p, _ros.Options(), "mlsh_runtime", TextWriter.Null);
        using var robot = new RobotStandIn(_ros.Options(), p);
        using var listener = new RosNode("skill_listener", _ros.Options());
        using var skills = listener.CreateSubscription<StringMsg>(p.ActiveSkillTopic, QosProfile.Commands);
        robot.BasePosition = (1, 0);
        skills.WaitForPublications(1, TimeSpan.FromSeconds(10)).Should().BeTrue("the listener discovers the node's skill publisher");

        using var stop = new CancellationTokenSource();
        var exit = -1;
        var run = new Thread(() => exit = runtime.Run(stop.Token)) { IsBackground = true };
        run.Start();
        var received = new List<string>();
        var msg = new StringMsg();
        bool Newest(string skill)
        {
            while (skills.TryTakeNext(msg)) received.Add(msg.Data);
            return received.Count > 0 && received[^1] == skill;
        }
        void CheckController(int skill)
        {
            var status = runtime.Controller.Status.Read();
            status.ActiveSkill.Should().Be(skill, $"the published skill is the controller's active sub-policy (mode {status.Mode}, faults {status.FaultHistory})");
            status.MasterChoice.Should().Be(skill);
            status.Mode.Should().Be(ControllerMode.Policy);
        }
        var expected = new List<string>();
        try
        {
            // Start-up: "" (no skill before the first master tick), then sub_policy_0 with the base east of the start.
            // Their relative order on the wire is not checked: the node may publish "" while the discovery handshake
            // with the listener is still in progress, and a sample resent then can arrive after the next one.
            WaitFor(() => Newest(PolicyMetadata.SubPolicyName(0)) || received.Contains(PolicyMetadata.SubPolicyName(0)), TimeSpan.FromSeconds(15),
                () => $"the first skill on {p.ActiveSkillTopic} (received so far: [{string.Join(", ", received)}])");
            CheckController(0);
            Thread.Sleep(300);
            Newest("");
            received.Should().BeSubsetOf(["", PolicyMetadata.SubPolicyName(0)]).And.OnlyHaveUniqueItems();
            received.Clear();

            // West, east, west: the master switches skills at the first master tick after each move.
            foreach (var (x, skill) in new[] { (-1.0, 1), (1.0, 0), (-1.0, 1) })
            {
                robot.BasePosition = (x, 0);
                var name = PolicyMetadata.SubPolicyName(skill);
                expected.Add(name);
                WaitFor(() => Newest(name), TimeSpan.FromSeconds(15),
                    () => $"'{name}' on {p.ActiveSkillTopic} with the base at x = {x} (received so far: [{string.Join(", ", received)}])");
                CheckController(skill);
            }
        }
        finally
        {
            stop.Cancel();
            run.Join();
        }
        exit.Should().Be(0);
        // One message per switch: exactly the sequence of skills, no repeats and none missing.
        received.Should().Equal(expected);
    }
}

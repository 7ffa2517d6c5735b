using Mlsh.Ros2.Interop;
using Mlsh.Ros2.Qos;
using Mlsh.Ros2.Tests.TestSupport;

namespace Mlsh.Ros2.Tests.Interop;

public sealed class OutboundSerdataTests
{
    [Fact]
    public void Publish_LeavesNoCycloneReferenceOnTheReusedSerdata()
    {
        // If Cyclone kept our serdata (instead of converting it to the topic's type) reusing the buffer would
        // corrupt queued samples: every write must release it exactly once before returning.
        var domain = new TestDomain();
        using var node = domain.Node("mlsh_sim");
        using var pub = node.CreatePublisher<StringMsg>("/chatter", QosProfile.Commands);
        using var sub = node.CreateSubscription<StringMsg>("/chatter", QosProfile.Commands);
        for (var i = 0; i < 5; i++) pub.Publish(new StringMsg { Data = $"m{i}" });

        pub.Serdata.ReleaseCount.Should().Be(5);
        pub.Serdata.RefCount.Should().Be(0u);
        var got = new StringMsg();
        var seen = new List<string>();
        while (sub.TryTakeNext(got)) seen.Add(got.Data);
        seen.Should().Equal("m0", "m1", "m2", "m3", "m4");
    }

    [Fact]
    public void DdsException_CarriesCyclonesReturnCodeText_AndTheFunctionName()
    {
        var act = () => DdsEntityHandle.Create(DdsNative.dds_create_waitset(123456), nameof(DdsNative.dds_create_waitset), null);
        var e = act.Should().Throw<DdsException>().Which;
        e.Function.Should().Be("dds_create_waitset");
        e.ReturnCode.Should().Be(-3); // DDS_RETCODE_BAD_PARAMETER: 123456 is no participant
        e.Message.Should().Be("dds_create_waitset failed: Bad Parameter (DDS retcode -3)", "the text is Cyclone's dds_strretcode");
    }

    [Fact]
    public void Handles_AreAllReleased_WhenTheNodeIsDisposed()
    {
        var domain = new TestDomain();
        var before = DdsEntityHandle.LiveCount;
        using (var node = domain.Node("mlsh_runtime"))
        {
            var pub = node.CreatePublisher<StringMsg>("/a", QosProfile.Commands);
            node.CreateSubscription<StringMsg>("/b", QosProfile.SensorData);
            pub.Dispose(); // disposed early on purpose; the subscription is left to the node
            DdsEntityHandle.LiveCount.Should().BeGreaterThan(before);
        }
        DdsEntityHandle.LiveCount.Should().Be(before);
    }
}

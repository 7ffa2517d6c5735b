using Mlsh.Mqtt.Interop;
using Mlsh.Mqtt.Tests.Broker;

namespace Mlsh.Mqtt.Tests.Interop;

/// <summary>Runs alone: the live-handle counter is process-wide.</summary>
[CollectionDefinition(nameof(NativeHandleCounting), DisableParallelization = true)]
public sealed class NativeHandleCounting;

[Collection(nameof(NativeHandleCounting))]
public sealed class SafeMosquittoHandleTests
{
    [Fact]
    public void Dispose_ReleasesTheNativeClient_WhateverStateItReached()
    {
        using var broker = new MosquittoBroker();
        using var down = new MosquittoBroker(start: false);
        var before = SafeMosquittoHandle.LiveCount;

        for (var i = 0; i < 4; i++)
        {
            using var idle = new MqttClient($"idle-{i}-{Guid.NewGuid():N}");
            using (var connected = new MqttClient($"ok-{i}-{Guid.NewGuid():N}"))
            {
                connected.Connect(broker.OptionsFor(MosquittoBroker.RuntimeUser));
                Wait.ForState(connected, MqttConnectionState.Connected);
                SafeMosquittoHandle.LiveCount.Should().Be(before + 2);
            }
            using (var refused = new MqttClient($"bad-{i}-{Guid.NewGuid():N}"))
            {
                refused.Connect(broker.OptionsFor(MosquittoBroker.RuntimeUser, "wrong"));
                Wait.ForState(refused, MqttConnectionState.Refused);
            }
            using (var retrying = new MqttClient($"retry-{i}-{Guid.NewGuid():N}"))
            {
                retrying.Connect(down.OptionsFor(MosquittoBroker.RuntimeUser));
                retrying.State.Should().Be(MqttConnectionState.Reconnecting);
            }
        }

        SafeMosquittoHandle.LiveCount.Should().Be(before);
    }
}

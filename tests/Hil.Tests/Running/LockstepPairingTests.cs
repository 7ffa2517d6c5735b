using Mlsh.Core.Launch;
using Mlsh.Hil.Running;

namespace Mlsh.Hil.Tests.Running;

public sealed class LockstepPairingTests
{
    [Fact]
    public void ShippedSimParams_LockstepDecimation_IsOneCommandPerRuntimeControlCycle()
    {
        // `./mlsh launch launch/demo.launch.yaml` with lockstep uses sim.yaml as is: it must pair with runtime.yaml
        // the way the demo and the HIL harness pair them, or the runtime skips cycles on /clock.
        var sim = RosNodeParameters.Load("mlsh_sim", [Path.Combine(TestPaths.Root, "launch", "params", "sim.yaml")]);
        sim.GetInt("decimation").Should().Be(LockstepPairing.Decimation(TestPaths.Root));
    }
}

namespace Mlsh.MuJoCo.Tests;

public class MjDataAllocationTests
{
    [Fact]
    public void SteppingWithControlsAndObservations_AllocatesNoManagedMemory()
    {
        using var model = MjModel.FromXmlString(TestModels.FreeBody);
        using var data = model.CreateData();
        var sum = 0.0;
        void ControlCycle(int i)
        {
            data.Ctrl[0] = Math.Sin(0.01 * i);
            var status = data.TryStep();
            if (status != MjStepStatus.Ok) data.Reset();
            data.Step(2);
            sum += data.Qpos[2] + data.Sensordata[2] + data.Xpos[5] + data.Cvel[11] + data.Time;
        }
        for (var i = 0; i < 200; i++) ControlCycle(i); // warm-up: JIT, tiered compilation, first warnings

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++) ControlCycle(i);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().Be(0);
        double.IsFinite(sum).Should().BeTrue();
    }
}

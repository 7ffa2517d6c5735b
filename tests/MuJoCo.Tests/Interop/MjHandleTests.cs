using Mlsh.MuJoCo.Interop;

namespace Mlsh.MuJoCo.Tests.Interop;

/// <summary>The live counters are process-wide, so these tests must not overlap with others creating handles.</summary>
[CollectionDefinition(nameof(NativeHandleCounting), DisableParallelization = true)]
public sealed class NativeHandleCounting;

[Collection(nameof(NativeHandleCounting))]
public class MjHandleTests
{
    [Fact]
    public void DisposingModelsAndDatas_ReleasesEveryNativeObject()
    {
        var models0 = MjModelHandle.LiveCount;
        var datas0 = MjDataHandle.LiveCount;

        for (var i = 0; i < 50; i++)
        {
            using var model = MjModel.FromXmlString(TestModels.Pendulum);
            using var a = model.CreateData();
            using var b = a.Clone();
            MjModelHandle.LiveCount.Should().Be(models0 + 1);
            MjDataHandle.LiveCount.Should().Be(datas0 + 2);
        }

        MjModelHandle.LiveCount.Should().Be(models0, "every mj_loadXML is matched by mj_deleteModel");
        MjDataHandle.LiveCount.Should().Be(datas0, "every mj_makeData/mj_copyData is matched by mj_deleteData");
    }

    [Fact]
    public void Data_KeepsItsModelAlive_WhenTheModelIsDisposedFirst()
    {
        var models0 = MjModelHandle.LiveCount;
        var model = MjModel.FromXmlString(TestModels.Pendulum);
        var data = model.CreateData();

        model.Dispose();

        MjModelHandle.LiveCount.Should().Be(models0 + 1, "the data still holds a reference");
        data.Ctrl[0] = 1;
        data.Step(10);
        data.Qvel[0].Should().BeGreaterThan(0, "the model memory is still valid");

        data.Dispose();
        MjModelHandle.LiveCount.Should().Be(models0, "the last user gone, the model is freed");
    }

    [Fact]
    public void AbandonedModelsAndDatas_AreFreedByTheFinalizer()
    {
        var models0 = MjModelHandle.LiveCount;
        var datas0 = MjDataHandle.LiveCount;

        CreateAndAbandon(20);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        GC.WaitForPendingFinalizers();

        MjDataHandle.LiveCount.Should().Be(datas0);
        MjModelHandle.LiveCount.Should().Be(models0);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void CreateAndAbandon(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var model = MjModel.FromXmlString(TestModels.Pendulum);
            model.CreateData().Step();
        }
    }
}

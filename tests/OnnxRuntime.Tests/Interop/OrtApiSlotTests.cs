using Mlsh.OnnxRuntime.Interop;

namespace Mlsh.OnnxRuntime.Tests.Interop;

public class OrtApiSlotTests
{
    [Fact]
    public void Slots_MatchOnnxRuntimesOwnStaticAssertCheckpoints()
    {
        // onnxruntime_c_api.cc: static_assert(offsetof(OrtApi, X) / sizeof(void*) == N, "Size of version V API cannot change")
        ((int)OrtApiSlot.ReleaseCustomOpDomain).Should().Be(101);
        ((int)OrtApiSlot.ReleaseModelMetadata).Should().Be(118);
        ((int)OrtApiSlot.AddFreeDimensionOverrideByName).Should().Be(124);
        ((int)OrtApiSlot.ReleaseAvailableProviders).Should().Be(126);
    }

    [Fact]
    public void GetVersionString_ThroughOrtApiBase_Reports1_30()
    {
        OrtEnvironment.Version.Should().StartWith("1.30.");
        OrtEnvironment.ApiVersion.Should().Be(30);
    }

    [Fact]
    public void GetAvailableProviders_ListsCpuProvider() =>
        OrtEnvironment.AvailableProviders.Should().Contain("CPUExecutionProvider");
}

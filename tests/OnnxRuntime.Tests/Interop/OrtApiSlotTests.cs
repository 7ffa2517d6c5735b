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

    [Fact]
    public unsafe void StatusCheck_ThrowsOrtException_WithOrtsCodeMessageAndFunction()
    {
        nint status;
        fixed (byte* msg = "bad weights\0"u8) status = OrtNative.CreateStatus((int)OrtErrorCode.InvalidGraph, msg);

        var e = FluentActions.Invoking(() => OrtStatus.Check(status, "SomeOrtFunction")).Should().Throw<OrtException>().Which;

        e.Code.Should().Be(OrtErrorCode.InvalidGraph);
        e.OrtMessage.Should().Be("bad weights");
        e.Function.Should().Be("SomeOrtFunction");
        e.Message.Should().Be("ONNX Runtime SomeOrtFunction failed (InvalidGraph): bad weights");
    }

    [Fact]
    public void StatusCheck_DoesNothing_OnSuccess() =>
        FluentActions.Invoking(() => OrtStatus.Check(0, "X")).Should().NotThrow();
}

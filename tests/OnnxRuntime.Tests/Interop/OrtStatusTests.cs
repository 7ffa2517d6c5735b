using Mlsh.OnnxRuntime.Interop;

namespace Mlsh.OnnxRuntime.Tests.Interop;

public class OrtStatusTests
{
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

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mlsh.OnnxRuntime.Interop;

/// <summary>The one error check for ONNX Runtime: a non-null <c>OrtStatus*</c> becomes an
/// <see cref="OrtException"/> with ORT's code and message and the failing function's name; the status
/// is released either way.</summary>
internal static unsafe class OrtStatus
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Check(nint status, string function)
    {
        if (status != 0) Throw(status, function);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(nint status, string function)
    {
        OrtErrorCode code;
        string message;
        try
        {
            code = (OrtErrorCode)OrtNative.GetErrorCode(status);
            message = Marshal.PtrToStringUTF8((nint)OrtNative.GetErrorMessage(status)) ?? "";
        }
        finally
        {
            OrtNative.ReleaseStatus(status);
        }
        throw new OrtException(function, code, message);
    }
}

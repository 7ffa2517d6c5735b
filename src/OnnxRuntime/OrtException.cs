namespace Mlsh.OnnxRuntime;

/// <summary>ONNX Runtime's OrtErrorCode, in the header's order.</summary>
public enum OrtErrorCode
{
    Ok,
    Fail,
    InvalidArgument,
    NoSuchFile,
    NoModel,
    EngineError,
    RuntimeException,
    InvalidProtobuf,
    ModelLoaded,
    NotImplemented,
    InvalidGraph,
    EpFail,
}

/// <summary>An ONNX Runtime C API call failed: carries ORT's own code and message and the C function
/// that returned them.</summary>
public sealed class OrtException(string function, OrtErrorCode code, string ortMessage)
    : Exception($"ONNX Runtime {function} failed ({code}): {ortMessage}")
{
    /// <summary>The C API function, e.g. "CreateSessionFromArray".</summary>
    public string Function { get; } = function;
    public OrtErrorCode Code { get; } = code;
    /// <summary>ORT's message, verbatim.</summary>
    public string OrtMessage { get; } = ortMessage;
}

namespace Mlsh.Mqtt;

/// <summary>A libmosquitto call failed; carries the C function, the mosq_err_t code and libmosquitto's own text.</summary>
public sealed class MosquittoException : Exception
{
    public MosquittoException(string function, int errorCode, string mosquittoMessage)
        : base($"{function} failed: {mosquittoMessage} (mosq_err_t {errorCode})")
    {
        Function = function;
        ErrorCode = errorCode;
        MosquittoMessage = mosquittoMessage;
    }

    public string Function { get; }

    public int ErrorCode { get; }

    public string MosquittoMessage { get; }
}

namespace Mlsh.Mpi;

/// <summary>An MPI call failed; carries the failing function, MPI's error code and MPI's own error text.</summary>
public sealed class MpiException : Exception
{
    public MpiException(string function, int errorCode, string mpiMessage)
        : base($"{function} failed: {mpiMessage} (MPI error {errorCode})")
    {
        Function = function;
        ErrorCode = errorCode;
        MpiMessage = mpiMessage;
    }

    /// <summary>The C entry point that failed, e.g. "MPI_Allreduce".</summary>
    public string Function { get; }

    public int ErrorCode { get; }

    /// <summary>The text of MPI_Error_string for <see cref="ErrorCode"/>.</summary>
    public string MpiMessage { get; }
}

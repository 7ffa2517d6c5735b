namespace Mlsh.Core.Interop;

/// <summary>A libc call failed; <see cref="Function"/> names it and the message is libc's strerror text.</summary>
public sealed class LibcException : Exception
{
    public string Function { get; }
    public int ErrorNumber { get; }

    public LibcException(string function, int errorNumber)
        : base($"{function} failed: {LibcNative.ErrnoText(errorNumber)}")
    {
        Function = function;
        ErrorNumber = errorNumber;
    }
}

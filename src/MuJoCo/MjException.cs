namespace Mlsh.MuJoCo;

/// <summary>A failure reported by the MuJoCo library, carrying the C function that reported it.</summary>
public class MjException : Exception
{
    public MjException(string? functionName, string message, Exception? inner = null) : base(message, inner)
    {
        FunctionName = functionName;
    }

    /// <summary>The MuJoCo C entry point that failed (e.g. <c>mj_loadXML</c>), if one did.</summary>
    public string? FunctionName { get; }
}

namespace Mlsh.MuJoCo;

/// <summary>
/// An MJCF description could not be parsed or compiled. <see cref="NativeMessage"/> is MuJoCo's own
/// error text (from the error buffer of mj_loadXML); the message also names the file.
/// </summary>
public sealed class MjLoadException : MjException
{
    public MjLoadException(string source, string functionName, string nativeMessage)
        : base(functionName, $"cannot load MJCF '{source}': {nativeMessage}")
    {
        ModelSource = source;
        NativeMessage = nativeMessage;
    }

    /// <summary>The MJCF file path, or a label for an in-memory description.</summary>
    public string ModelSource { get; }

    /// <summary>MuJoCo's error text, verbatim.</summary>
    public string NativeMessage { get; }
}

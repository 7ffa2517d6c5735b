namespace Mlsh.Ros2.Interop;

/// <summary>
/// A Cyclone DDS call failed. Carries the failing C function, the DDS return code and Cyclone's own text
/// for it (dds_strretcode), e.g. "dds_create_reader failed: Inconsistent policy (DDS retcode -8)".
/// </summary>
public sealed class DdsException : Exception
{
    public DdsException(string function, int returnCode, string detail)
        : base($"{function} failed: {detail} (DDS retcode {returnCode})")
    {
        Function = function;
        ReturnCode = returnCode;
    }

    /// <summary>The libddsc entry point that failed, C spelling.</summary>
    public string Function { get; }

    /// <summary>The negative dds_return_t (DDS_RETCODE_*).</summary>
    public int ReturnCode { get; }
}

/// <summary>The one place that turns a libddsc status into a <see cref="DdsException"/>.</summary>
internal static class DdsCheck
{
    /// <summary>Returns <paramref name="ret"/> when it is not an error (entities and counts are positive).</summary>
    public static int Check(int ret, string function)
    {
        if (ret < 0) Throw(ret, function);
        return ret;
    }

    private static void Throw(int ret, string function) =>
        throw new DdsException(function, ret, DdsNative.RetcodeText(ret));
}

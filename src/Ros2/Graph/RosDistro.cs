namespace Mlsh.Ros2.Graph;

/// <summary>
/// The ROS 2 release whose rmw_dds_common layout a node speaks on `ros_discovery_info`. Only the GID differs:
/// Humble's rmw_dds_common/msg/Gid is <c>char[24] data</c> (the 16-byte DDS GUID zero-padded to rmw's 24-byte
/// RMW_GID_STORAGE_SIZE), Iron and later (Jazzy, Kilted, Rolling) use <c>char[16] data</c> (rmw_dds_common #68).
/// The two layouts do not match each other on the wire, so a node must use its peers' layout to appear in
/// their `ros2 node list` and to see their nodes.
/// </summary>
public enum RosDistro
{
    /// <summary>Iron, Jazzy, Kilted, Rolling: 16-byte GIDs.</summary>
    Jazzy,

    /// <summary>Humble: 24-byte GIDs (GUID + 8 zero bytes).</summary>
    Humble,
}

/// <summary>Names and GID sizes of <see cref="RosDistro"/>, and the ROS_DISTRO environment variable.</summary>
public static class RosDistros
{
    public const string EnvironmentVariable = "ROS_DISTRO";

    /// <summary>Accepted names (as in ROS_DISTRO), lower case.</summary>
    public const string AcceptedNames = "humble, iron, jazzy, kilted or rolling";

    /// <summary>Bytes of a GID in ros_discovery_info.</summary>
    public static int GidSize(this RosDistro distro) => distro == RosDistro.Humble ? 24 : 16;

    /// <summary>humble -> Humble; iron, jazzy, kilted, rolling -> Jazzy (the same 16-byte layout); else false.</summary>
    public static bool TryParse(string name, out RosDistro distro)
    {
        switch (name)
        {
            case "humble":
                distro = RosDistro.Humble;
                return true;
            case "iron" or "jazzy" or "kilted" or "rolling":
                distro = RosDistro.Jazzy;
                return true;
            default:
                distro = RosDistro.Jazzy;
                return false;
        }
    }

    // DESIGN: with no explicit choice a node follows ROS_DISTRO, which every sourced ROS 2 shell sets (setup.bash):
    // started next to a Humble installation, Mlsh speaks Humble's layout without configuration, as the rmw of that
    // shell would (rmw compiles its layout in; Mlsh has both). Unset means the current layout (Jazzy). A value
    // Mlsh does not know (foxy, a typo) is an error rather than a guess: a wrong layout makes nodes silently invisible.
    /// <summary>The distro named by ROS_DISTRO; Jazzy when it is unset or empty.</summary>
    /// <exception cref="ArgumentException">ROS_DISTRO names a release Mlsh does not speak (one line).</exception>
    public static RosDistro FromEnvironment() => FromEnvironmentValue(Environment.GetEnvironmentVariable(EnvironmentVariable));

    internal static RosDistro FromEnvironmentValue(string? value)
    {
        if (string.IsNullOrEmpty(value)) return RosDistro.Jazzy;
        return TryParse(value, out var distro)
            ? distro
            : throw new ArgumentException($"{EnvironmentVariable}={value}: Mlsh speaks the ros_discovery_info layout of {AcceptedNames}; " +
                                          $"set {EnvironmentVariable} to one of them, or the node's ros_distro parameter (RosNodeOptions.Distro)");
    }
}

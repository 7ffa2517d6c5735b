using System.CommandLine;
using System.Runtime.InteropServices;
using Mlsh.Core.Launch;
using Mlsh.Ros2;

namespace Mlsh.Cli.Verbs;

/// <summary>
/// The command line every ROS 2 node verb shares (`run`, `sim`): repeatable --params files, --domain, --loopback and
/// trailing --ros-args, so `./mlsh launch` and `ros2 launch` can start either node the same way.
/// </summary>
internal sealed class RosNodeCommandLine
{
    private readonly string _verb;
    private readonly string _nodeName;
    private readonly string _defaultParamsFile;
    private readonly Option<string[]> _params;
    private readonly Option<uint?> _domain = new("--domain") { Description = "DDS domain id (default: ROS_DOMAIN_ID, or 0)." };
    private readonly Option<bool> _loopback = new("--loopback") { Description = "Discover and talk on 127.0.0.1 only." };

    /// <param name="defaultParamsFile">Under launch/params/, used when no --params is given.</param>
    public RosNodeCommandLine(Command command, string nodeName, string defaultParamsFile)
    {
        _verb = command.Name;
        _nodeName = nodeName;
        _defaultParamsFile = defaultParamsFile;
        _params = new Option<string[]>("--params")
        {
            Description = $"ROS 2 parameter file (repeatable; later files win). Default: launch/params/{defaultParamsFile}.",
            AllowMultipleArgumentsPerToken = false,
        };
        // Unmatched tokens carry the --ros-args tail; anything else left over is rejected in Parse.
        command.TreatUnmatchedTokensAsErrors = false;
        command.Options.Add(_params);
        command.Options.Add(_domain);
        command.Options.Add(_loopback);
    }

    /// <summary>
    /// The node's parameters (files, then --ros-args overrides), its DDS options, and the --ros-args tokens; null after
    /// printing an error when an argument that is neither an option nor part of --ros-args was given.
    /// </summary>
    public (RosNodeParameters Parameters, RosNodeOptions Options, RosArguments RosArgs)? Parse(ParseResult parse, string ownOptionsHint)
    {
        var (own, ros) = RosArguments.Split(parse.UnmatchedTokens);
        if (own.Count > 0)
        {
            Console.Error.WriteLine($"error: {_verb}: unexpected argument '{own[0]}' (node arguments: --params, {ownOptionsHint}--domain, --loopback, then --ros-args ...)");
            return null;
        }
        var files = parse.GetValue(_params) is { Length: > 0 } given
            ? given
            : [Path.Combine(Core.MlshPaths.Root, "launch", "params", _defaultParamsFile)];
        var parameters = RosNodeParameters.Load(_nodeName, files, ros);
        var options = new RosNodeOptions
        {
            Namespace = parameters.Namespace,
            DomainId = parse.GetValue(_domain),
            CycloneConfigXml = parse.GetValue(_loopback) ? CycloneConfig.LoopbackOnly() : null,
            Distro = DistroParameter(parameters),
        };
        return (parameters, options, ros);
    }

    /// <summary>
    /// The node-level `ros_distro` parameter (humble, or iron/jazzy/kilted/rolling: the ros_discovery_info GID layout);
    /// null when absent, so the node follows ROS_DISTRO. Read here for both nodes, so their RejectUnread knows it.
    /// </summary>
    /// <exception cref="Core.Configuration.ConfigException">a value that names no supported release (one line).</exception>
    internal static Ros2.Graph.RosDistro? DistroParameter(RosNodeParameters parameters)
    {
        var text = parameters.GetString("ros_distro", "");
        if (!parameters.Contains("ros_distro")) return null;
        return Ros2.Graph.RosDistros.TryParse(text, out var distro)
            ? distro
            : throw new Core.Configuration.ConfigException(
                $"node {parameters.NodeName}: parameter 'ros_distro' is '{text}'; expected {Ros2.Graph.RosDistros.AcceptedNames} " +
                "(the ROS 2 release of the peers: Humble uses 24-byte GIDs in ros_discovery_info, later releases 16)");
    }

    /// <summary>A stop token cancelled by SIGINT or SIGTERM (what `./mlsh launch` and `ros2 launch` send), or after <paramref name="after"/>.</summary>
    public static StopSignal OnSignals(TimeSpan? after = null) => new(after);

    public sealed class StopSignal : IDisposable
    {
        private readonly CancellationTokenSource _cts;
        private readonly PosixSignalRegistration _sigint;
        private readonly PosixSignalRegistration _sigterm;

        internal StopSignal(TimeSpan? after)
        {
            _cts = after is { } t ? new CancellationTokenSource(t) : new CancellationTokenSource();
            _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; _cts.Cancel(); });
            _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; _cts.Cancel(); });
        }

        public CancellationToken Token => _cts.Token;

        public void Dispose()
        {
            _sigterm.Dispose();
            _sigint.Dispose();
            _cts.Dispose();
        }
    }
}

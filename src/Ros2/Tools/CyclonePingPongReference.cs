using System.Globalization;

namespace Mlsh.Ros2.Tools;

/// <summary>
/// The C JointState ping/pong of `./mlsh bench dds` (Tools/Reference/*.{idl,c}), compiled once with idlc and gcc
/// into a temporary directory (deleted on Dispose) so the benchmark can run it several times, interleaved with
/// the other measurements.
/// </summary>
public sealed class CyclonePingPongReference : IDisposable
{
    private readonly string _dir;
    private readonly string _config;

    private CyclonePingPongReference(string dir, string cycloneConfigXml)
    {
        _dir = dir;
        _config = cycloneConfigXml;
    }

    /// <summary>Compiles the reference; <paramref name="cycloneConfigXml"/> goes to CYCLONEDDS_URI of every run.</summary>
    public static CyclonePingPongReference Build(string cycloneConfigXml)
    {
        var dir = Directory.CreateTempSubdirectory("mlsh-bench-dds-c-").FullName;
        var reference = new CyclonePingPongReference(dir, cycloneConfigXml);
        try
        {
            foreach (var name in new[] { "joint_state.idl", "jointstate_pingpong.c" })
            {
                using var resource = typeof(PingPong).Assembly.GetManifestResourceStream("Mlsh.Ros2.Reference." + name)
                    ?? throw new InvalidOperationException($"missing embedded resource {name}");
                using var file = File.Create(Path.Combine(dir, name));
                resource.CopyTo(file);
            }
            PingPong.RunTool("idlc", "-t joint_state.idl", dir, cycloneConfigXml);
            PingPong.RunTool("gcc", "-O2 -o jointstate_pingpong jointstate_pingpong.c joint_state.c -lddsc", dir, cycloneConfigXml);
            return reference;
        }
        catch
        {
            reference.Dispose();
            throw;
        }
    }

    /// <summary>Runs the C pong and ping processes on <paramref name="domain"/>; returns the ping's round trips.</summary>
    public PingPongResult Measure(uint domain, int joints, int roundTrips) => Measure(domain, joints, roundTrips, PingPongTrigger.Waitset);

    /// <summary><see cref="Measure(uint, int, int)"/> with both processes triggered by a waitset or a listener.</summary>
    public PingPongResult Measure(uint domain, int joints, int roundTrips, PingPongTrigger trigger)
    {
        var exe = Path.Combine(_dir, "jointstate_pingpong");
        var mode = trigger == PingPongTrigger.Listener ? " listener" : "";
        using var pong = PingPong.Start(exe, $"pong {domain} 300{mode}", _dir, _config);
        try
        {
            if (pong.StandardOutput.ReadLine() != "ready")
                throw new InvalidOperationException("C pong did not start: " + pong.StandardError.ReadToEnd());
            var line = PingPong.RunTool(exe, $"ping {domain} {joints} {roundTrips}{mode}", _dir, _config).Trim().Split(' ');
            if (line.Length != 5 || line[0] != "rt_us") throw new InvalidOperationException($"unexpected C ping output: {string.Join(' ', line)}");
            return new PingPongResult(PingPong.JointStateSize(joints), long.Parse(line[4], CultureInfo.InvariantCulture),
                PingPong.Parse(line[1]), PingPong.Parse(line[2]), PingPong.Parse(line[3]));
        }
        finally
        {
            pong.Kill();
            pong.WaitForExit();
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}

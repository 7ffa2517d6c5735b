using System.Diagnostics;
using Mlsh.Ros2.Qos;
using Mlsh.Ros2.Tools;

namespace Mlsh.Ros2.Tests.TestSupport;

/// <summary>
/// Entry point of the test assembly when it runs as a peer process (`dotnet Mlsh.Ros2.Tests.dll relay-samples
/// --domain N --from /a --to /b`). It runs the same <see cref="TopicTool"/> code as `./mlsh topic`, but is
/// always built together with the tests, so a two-process test can never run against a stale CLI build.
/// The peer exits when its stdin closes (the test ended or died) or after 120 s.
/// </summary>
public static class PeerProgram
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "pong") return Pong(args);
        if (args.Length == 0 || args[0] != "relay-samples")
        {
            Console.Error.WriteLine("usage: relay-samples --domain N --from /prefix_in --to /prefix_out | pong --domain N --trigger waitset|listener");
            return 2;
        }
        var domain = uint.Parse(Arg(args, "--domain"));
        var from = Arg(args, "--from");
        var to = Arg(args, "--to");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var node = new RosNode("mlsh_peer", new RosNodeOptions { DomainId = domain, CycloneConfigXml = CycloneConfig.LoopbackOnly() });
        var threads = SampleMessages.All().Select(m =>
        {
            var info = MessageRegistry.Find(SampleMessages.TypeOf(m).RosName);
            var t = new Thread(() => TopicTool.Relay(node, info, $"{from}/{info.Type.Name}", $"{to}/{info.Type.Name}", QosProfile.Commands, cancel.Token))
            { IsBackground = true, Name = "relay " + info.Type.Name };
            t.Start();
            return t;
        }).ToList();
        Console.WriteLine("ready");
        Console.Out.Flush();
        var stdin = new Thread(() => { Console.In.ReadToEnd(); cancel.Cancel(); }) { IsBackground = true };
        stdin.Start();
        cancel.Token.WaitHandle.WaitOne();
        foreach (var t in threads) t.Join(TimeSpan.FromSeconds(2));
        return 0;
    }

    /// <summary>The ping/pong peer of <see cref="PingPong"/> ("/mlsh_ping" answered on "/mlsh_pong") until stdin closes.</summary>
    private static int Pong(string[] args)
    {
        var domain = uint.Parse(Arg(args, "--domain"));
        var trigger = Enum.Parse<PingPongTrigger>(Arg(args, "--trigger"), ignoreCase: true);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var node = new RosNode("mlsh_pong", new RosNodeOptions { DomainId = domain, CycloneConfigXml = CycloneConfig.LoopbackOnly() });
        var stdin = new Thread(() => { Console.In.ReadToEnd(); cancel.Cancel(); }) { IsBackground = true };
        stdin.Start();
        Console.WriteLine("ready");
        Console.Out.Flush();
        TopicTool.Pong(node, "/mlsh_ping", "/mlsh_pong", trigger, cancel.Token);
        return 0;
    }

    private static string Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        if (i < 0 || i + 1 >= args.Length) throw new ArgumentException($"missing {name}");
        return args[i + 1];
    }

    /// <summary>Starts this assembly as a peer with the given arguments, stdin/stdout redirected.</summary>
    public static Process Start(string arguments)
    {
        var dll = typeof(PeerProgram).Assembly.Location;
        var host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var psi = new ProcessStartInfo(host, $"\"{dll}\" {arguments}")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        return Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {host} {dll}");
    }
}

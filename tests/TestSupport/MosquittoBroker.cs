using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mlsh.Core.IO;

namespace Mlsh.TestSupport;

/// <summary>
/// A real mosquitto on 127.0.0.1 with passwords and an ACL (same pattern as Mqtt.Tests' broker): "runtime" reads and
/// writes mlsh/#, "operator" may write mlsh/cmd, "viewer" may only read. Killed and deleted on Dispose.
/// One copy, linked into Runtime.Tests and Cli.Tests (their .csproj).
/// </summary>
public sealed class Broker : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-test-mosquitto-").FullName;
    private readonly string _conf;
    private Process? _process;

    public Broker()
    {
        using (var l = new TcpListener(IPAddress.Loopback, 0)) { l.Start(); Port = ((IPEndPoint)l.LocalEndpoint).Port; l.Stop(); }
        var passwords = Path.Combine(_dir, "passwords");
        var first = true;
        foreach (var user in new[] { "runtime", "operator", "viewer" })
        {
            var psi = new ProcessStartInfo("mosquitto_passwd") { UseShellExecute = false, RedirectStandardError = true };
            psi.ArgumentList.Add("-b");
            if (first) psi.ArgumentList.Add("-c");
            first = false;
            psi.ArgumentList.Add(passwords);
            psi.ArgumentList.Add(user);
            psi.ArgumentList.Add(user + "-secret");
            using var p = Process.Start(psi)!;
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"mosquitto_passwd failed: {p.StandardError.ReadToEnd()}");
        }
        var acl = Path.Combine(_dir, "acl");
        AtomicFile.WriteAllText(acl, "user runtime\ntopic readwrite mlsh/#\n\nuser operator\ntopic write mlsh/cmd\ntopic read mlsh/#\n\nuser viewer\ntopic read mlsh/#\n");
        _conf = Path.Combine(_dir, "mosquitto.conf");
        AtomicFile.WriteAllText(_conf, $"user {Environment.UserName}\nlistener {Port} 127.0.0.1\nallow_anonymous false\npassword_file {passwords}\nacl_file {acl}\npersistence false\n");
        PasswordFile = Path.Combine(_dir, "runtime.password");
        AtomicFile.WriteAllText(PasswordFile, "runtime-secret\n");
        Start();
    }

    public int Port { get; }
    public string PasswordFile { get; }

    public void Start()
    {
        var psi = new ProcessStartInfo("mosquitto") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(_conf);
        _process = Process.Start(psi)!;
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try { using var c = new TcpClient(); c.Connect(IPAddress.Loopback, Port); return; }
            catch (SocketException) when (DateTime.UtcNow < until) { Thread.Sleep(20); }
        }
    }

    public void Stop()
    {
        if (_process is null) return;
        if (!_process.HasExited) { _process.Kill(); _process.WaitForExit(); }
        _process.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        Stop();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}

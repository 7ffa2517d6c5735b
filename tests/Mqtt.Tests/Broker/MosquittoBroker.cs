using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mlsh.Core.IO;

namespace Mlsh.Mqtt.Tests.Broker;

/// <summary>
/// A real mosquitto broker on 127.0.0.1 with password authentication and an ACL, in a private temp
/// directory. Users: "runtime" (readwrite mlsh/#), "operator" (writes mlsh/cmd, reads telemetry and
/// status), "viewer" (read-only mlsh/#). Stop/Start keep the port so clients can reconnect.
/// </summary>
public sealed class MosquittoBroker : IDisposable
{
    public const string RuntimeUser = "runtime";
    public const string OperatorUser = "operator";
    public const string ViewerUser = "viewer";

    private readonly string _dir;
    private readonly string _conf;
    private Process? _process;
    private string _logPath;

    /// <param name="start">False to create the configuration only (a broker that comes up after the client).</param>
    /// <param name="tls">True for a TLS listener with a freshly made CA and server certificate (see <see cref="CaFile"/>).</param>
    public MosquittoBroker(bool start = true, bool tls = false)
    {
        _dir = Directory.CreateTempSubdirectory("mlsh-mosquitto-").FullName;
        Port = FreePort();
        var tlsLines = "";
        if (tls)
        {
            CaFile = Path.Combine(_dir, "ca.crt");
            MakeCertificates(_dir);
            tlsLines = $"cafile {CaFile}\ncertfile {Path.Combine(_dir, "server.crt")}\nkeyfile {Path.Combine(_dir, "server.key")}\nrequire_certificate false";
        }
        var passwords = Path.Combine(_dir, "passwords");
        AddUser(passwords, RuntimeUser, create: true);
        AddUser(passwords, OperatorUser, create: false);
        AddUser(passwords, ViewerUser, create: false);
        var acl = Path.Combine(_dir, "acl");
        AtomicFile.WriteAllText(acl, $"""
            user {RuntimeUser}
            topic readwrite mlsh/#

            user {OperatorUser}
            topic write mlsh/cmd
            topic read mlsh/telemetry
            topic read mlsh/status

            user {ViewerUser}
            topic read mlsh/#

            """);
        _conf = Path.Combine(_dir, "mosquitto.conf");
        AtomicFile.WriteAllText(_conf, $"""
            # Started as root, mosquitto would switch to user "mosquitto", which cannot read this private directory.
            user {Environment.UserName}
            listener {Port} 127.0.0.1
            {tlsLines}
            allow_anonymous false
            password_file {passwords}
            acl_file {acl}
            persistence false
            log_type error
            log_type warning
            log_type notice
            log_dest file {Path.Combine(_dir, "mosquitto.log")}

            """);
        _logPath = Path.Combine(_dir, "mosquitto.log");
        if (start) Start();
    }

    public int Port { get; }

    /// <summary>The CA that signed the broker's certificate (TLS brokers only).</summary>
    public string? CaFile { get; }

    /// <summary>Every user's password (the password file holds only hashes).</summary>
    public static string PasswordOf(string user) => $"{user}-secret";

    public MqttConnectOptions OptionsFor(string user, string? password = null, MqttWill? will = null) => new()
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = user,
        Password = password ?? PasswordOf(user),
        Will = will,
        Tls = CaFile is null ? null : new MqttTls(CaFile),
        ReconnectDelay = TimeSpan.FromSeconds(1),
        ReconnectDelayMax = TimeSpan.FromSeconds(1),
    };

    /// <summary>Starts mosquitto and waits until it accepts TCP connections.</summary>
    public void Start()
    {
        if (_process is { HasExited: false }) throw new InvalidOperationException("the broker is already running");
        var psi = new ProcessStartInfo("mosquitto") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(_conf);
        _process = Process.Start(psi)!;
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"mosquitto exited with {_process.ExitCode} at start; log: {ReadLog()}");
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }
        }
    }

    /// <summary>Kills the broker (an outage, not a clean shutdown).</summary>
    public void Stop()
    {
        if (_process is null) return;
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
        _process = null;
    }

    public string ReadLog() => File.Exists(_logPath) ? File.ReadAllText(_logPath) : "(no log)";

    public void Dispose()
    {
        Stop();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static void AddUser(string passwordFile, string user, bool create)
    {
        var psi = new ProcessStartInfo("mosquitto_passwd") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add("-b");
        if (create) psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(passwordFile);
        psi.ArgumentList.Add(user);
        psi.ArgumentList.Add(PasswordOf(user));
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"mosquitto_passwd failed for {user}: {err}");
    }

    /// <summary>A throw-away CA and a server certificate for 127.0.0.1 (openssl, RSA 2048, valid one day).</summary>
    private static void MakeCertificates(string dir)
    {
        File.WriteAllText(Path.Combine(dir, "san.ext"), "subjectAltName=IP:127.0.0.1\n");
        Run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=mlsh-test-ca");
        Run(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
        Run(dir, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.crt", "-days", "1", "-extfile", "san.ext");
    }

    private static void Run(string dir, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = dir };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {err.Result}");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}

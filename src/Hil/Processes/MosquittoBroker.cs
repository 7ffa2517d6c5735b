using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Mlsh.Core.IO;

namespace Mlsh.Hil.Processes;

/// <summary>
/// A private mosquitto broker for a scenario: 127.0.0.1 on a free port, password authentication (a generated
/// password for user <see cref="User"/>, hashed by mosquitto_passwd; the clear password is written to a 0600 file the
/// runtime reads through its mqtt_password_file parameter), files in a temp directory deleted on Dispose.
/// <see cref="Kill"/>/<see cref="Start"/> keep the port so clients reconnect. One owner thread.
/// </summary>
public sealed class MosquittoBroker : IDisposable
{
    public const string User = "mlsh";

    private readonly string _dir;
    private readonly string _conf;
    private Process? _process;

    public MosquittoBroker()
    {
        _dir = Directory.CreateTempSubdirectory("mlsh-hil-mosquitto-").FullName;
        Port = FreePort();
        Password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        PasswordFile = Path.Combine(_dir, "password");
        AtomicFile.WriteAllText(PasswordFile, Password);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(PasswordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var hashes = Path.Combine(_dir, "passwords");
        Run("mosquitto_passwd", "-b", "-c", hashes, User, Password);
        _conf = Path.Combine(_dir, "mosquitto.conf");
        AtomicFile.WriteAllText(_conf, $"""
            # Started as root, mosquitto would switch to user "mosquitto", which cannot read this private directory.
            user {Environment.UserName}
            listener {Port} 127.0.0.1
            allow_anonymous false
            password_file {hashes}
            persistence false
            log_dest file {Path.Combine(_dir, "mosquitto.log")}

            """);
    }

    public int Port { get; }
    public string Password { get; }
    /// <summary>A file holding only the password (for the runtime's mqtt_password_file).</summary>
    public string PasswordFile { get; }
    public bool Running => _process is { HasExited: false };

    /// <summary>Starts mosquitto and waits (at most 10 s) until it accepts TCP connections.</summary>
    public void Start()
    {
        if (Running) return;
        var psi = new ProcessStartInfo("mosquitto") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(_conf);
        _process = Process.Start(psi) ?? throw new InvalidOperationException("mosquitto could not be started (is the mosquitto package installed? scripts/setup.sh installs it)");
        _process.ErrorDataReceived += (_, _) => { };
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var deadline = Environment.TickCount64 + 10_000;
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"mosquitto exited with code {_process.ExitCode} at start; log: {Log()}");
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (Environment.TickCount64 < deadline)
            {
                Thread.Sleep(20);
            }
        }
    }

    /// <summary>SIGKILL: an outage, not a clean shutdown.</summary>
    public void Kill()
    {
        if (_process is null) return;
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
        _process.Dispose();
        _process = null;
    }

    public string Log()
    {
        var path = Path.Combine(_dir, "mosquitto.log");
        return File.Exists(path) ? File.ReadAllText(path).Trim() : "(no log)";
    }

    public void Dispose()
    {
        Kill();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"{file} could not be started");
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(10_000)) { p.Kill(); throw new InvalidOperationException($"{file} did not finish within 10 s"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} failed with code {p.ExitCode}: {err.Result.Trim()}");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}

using Mlsh.Core.Interop;
using Mlsh.Core.Launch.Interop;

namespace Mlsh.Core.Tests.Launch.Interop;

public sealed class ChildProcessTests
{
    private static string ReadAll(Microsoft.Win32.SafeHandles.SafeFileHandle pipe)
    {
        using var stream = new FileStream(pipe, FileAccess.Read, 1);
        return new StreamReader(stream).ReadToEnd();
    }

    private static (ExitStatus Status, string Out) Run(string script, IReadOnlyList<string>? env = null, string? cwd = null)
    {
        using var child = ChildProcess.Start(["/bin/sh", "-c", script], env ?? ["PATH=/usr/bin:/bin"], cwd, "test");
        var output = ReadAll(child.StandardOutput);
        // A helper, not a test method: blocking here is fine (the waiter is a dedicated thread).
#pragma warning disable xUnit1031
        child.Exited.Wait(TimeSpan.FromSeconds(20)).Should().BeTrue();
        return (child.Exited.Result, output);
#pragma warning restore xUnit1031
    }

    [Fact]
    public async Task Start_PutsTheChildInItsOwnProcessGroup()
    {
        using var child = ChildProcess.Start(["/bin/sh", "-c", "cut -d' ' -f5 /proc/$$/stat; exec sleep 60"], ["PATH=/usr/bin:/bin"], null, "pg");
        using var reader = new StreamReader(new FileStream(child.StandardOutput, FileAccess.Read, 1));
        var pgid = int.Parse(reader.ReadLine()!);

        pgid.Should().Be(child.Pid);
        child.SignalGroup(LibcNative.SIGTERM).Should().BeTrue();
        (await child.Exited.WaitAsync(TimeSpan.FromSeconds(20))).Should().Be(new ExitStatus(null, LibcNative.SIGTERM));
    }

    [Fact]
    public void Start_GivesTheChildDefaultSignalDispositionsAndAnEmptyMask_EvenThoughTheRuntimeIgnoresSigpipe()
    {
        var (status, output) = Run("grep -E '^(SigIgn|SigBlk)' /proc/self/status");
        status.ExitCode.Should().Be(0);
        var masks = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(l => l[..6], l => Convert.ToUInt64(l[7..].Trim(), 16));
        masks["SigBlk"].Should().Be(0);
        // Bit n-1 is signal n. Signals 1..31 (SIGINT, SIGPIPE, SIGTERM, ...) must be at their defaults; glibc
        // reserves 32 and 33 for itself and does not let posix_spawn reset them, and no program uses them.
        (masks["SigIgn"] & 0x7FFF_FFFFUL).Should().Be(0, $"no classic signal may start ignored (SigIgn {masks["SigIgn"]:x})");
    }

    [Fact]
    public void Start_UsesExactlyTheGivenEnvironmentAndWorkingDirectory_AndStdinIsEmpty()
    {
        var dir = Path.GetTempPath().TrimEnd('/');
        var (status, output) = Run("echo \"$ONLY|${HOME:-unset}\"; pwd; cat; echo eof", ["PATH=/usr/bin:/bin", "ONLY=yes"], dir);
        status.ExitCode.Should().Be(0);
        output.Should().Be($"yes|unset\n{dir}\neof\n");
    }

    [Fact]
    public void ExitStatus_DistinguishesExitCodesFromSignals()
    {
        Run("exit 42").Status.Should().Be(new ExitStatus(42, null));
        Run("kill -KILL $$").Status.Should().Be(new ExitStatus(null, 9));
        new ExitStatus(null, 9).ToString().Should().Be("was killed by signal 9 (SIGKILL)");
        new ExitStatus(3, null).ToString().Should().Be("exited with code 3");
    }

    [Fact]
    public void Start_OfAMissingProgram_ThrowsLibcException_WithLibcsMessageAndTheFunction()
    {
        var e = FluentActions.Invoking(() => ChildProcess.Start(["mlsh-no-such-program"], ["PATH=/usr/bin:/bin"], null, "x"))
            .Should().Throw<LibcException>().Which;
        e.Function.Should().Be("posix_spawnp");
        e.Message.Should().Be("posix_spawnp failed: No such file or directory (errno 2)");
    }

    [Fact]
    public async Task Dispose_KillsARunningChildAndReapsIt()
    {
        var child = ChildProcess.Start(["sleep", "60"], ["PATH=/usr/bin:/bin"], null, "sleeper");
        var pid = child.Pid;
        child.Dispose();

        child.Exited.IsCompleted.Should().BeTrue();
        (await child.Exited).Signal.Should().Be(LibcNative.SIGKILL);
        Directory.Exists($"/proc/{pid}").Should().BeFalse("the child was reaped, not left as a zombie");
    }

    [Fact]
    public async Task SignalGroup_ReturnsFalse_WhenTheGroupIsGone()
    {
        using var child = ChildProcess.Start(["true"], ["PATH=/usr/bin:/bin"], null, "t");
        await child.Exited.WaitAsync(TimeSpan.FromSeconds(20));
        child.SignalGroup(LibcNative.SIGTERM).Should().BeFalse();
    }
}

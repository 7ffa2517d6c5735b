using Mlsh.Core.Launch.Interop;

namespace Mlsh.Core.Tests.Launch.Interop;

[CollectionDefinition(nameof(FileDescriptorCounting), DisableParallelization = true)]
public sealed class FileDescriptorCounting;

/// <summary>Runs alone: it counts this process's open file descriptors, which parallel tests would disturb.</summary>
[Collection(nameof(FileDescriptorCounting))]
public sealed class ChildProcessLeakTests
{
    private static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    [Fact]
    public async Task StartingAndDisposingManyChildren_LeavesNoPipeOrProcessBehind()
    {
        for (var i = 0; i < 5; i++) await RunOnce(); // warm-up: the runtime opens its own descriptors lazily
        var before = OpenDescriptors();
        var pids = new List<int>();
        for (var i = 0; i < 100; i++) pids.Add(await RunOnce());

        OpenDescriptors().Should().BeLessThanOrEqualTo(before, "each child's two pipe read ends are closed on Dispose");
        pids.Should().OnlyContain(pid => !Directory.Exists($"/proc/{pid}"), "every child was reaped");
    }

    private static async Task<int> RunOnce()
    {
        using var child = ChildProcess.Start(["true"], ["PATH=/usr/bin:/bin"], null, "leak");
        await child.Exited.WaitAsync(TimeSpan.FromSeconds(20));
        return child.Pid;
    }
}

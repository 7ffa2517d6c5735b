namespace Mlsh.Hil.Tests;

/// <summary>ROS domains for the Hil tests that start real nodes: 10-29, used by no other test project, handed out in
/// turn so concurrently running test classes of this project never share one.</summary>
internal static class TestDomains
{
    private static int _next = Random.Shared.Next(0, 20);

    public static uint Next() => (uint)(10 + Interlocked.Increment(ref _next) % 20);
}

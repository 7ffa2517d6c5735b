namespace Mlsh.Runtime.Tests.TestSupport;

/// <summary>Polls a condition that another thread (the control loop, DDS, MQTT) makes true.</summary>
internal static class Wait
{
    /// <exception cref="TimeoutException">The condition did not hold within <paramref name="timeout"/>; the message names <paramref name="what"/>.</exception>
    public static void For(Func<bool> condition, TimeSpan timeout, string what)
    {
        // A 2 ms poll resolves single control periods (2 ms at 500 Hz) where a test brackets an event between readings.
        var until = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"{what} not within {timeout}");
            Thread.Sleep(2);
        }
    }
}

namespace Mlsh.Runtime.Control;

/// <summary>
/// A single-writer latest-value slot for a small unmanaged struct (sequence lock): the control thread publishes a
/// snapshot every cycle without waiting, readers (telemetry, diagnostics) copy a consistent one. Allocation-free.
/// </summary>
public sealed class SeqLock<T> where T : unmanaged
{
    private T _value;
    private long _version;

    /// <summary>One writer thread only.</summary>
    public void Write(in T value)
    {
        var v = _version;
        Volatile.Write(ref _version, v + 1);
        Interlocked.MemoryBarrier();
        _value = value;
        Volatile.Write(ref _version, v + 2);
    }

    /// <summary>The newest complete value (default before the first write). Any thread; spins while a write is in progress.</summary>
    public T Read()
    {
        var spin = new SpinWait();
        while (true)
        {
            var before = Volatile.Read(ref _version);
            if ((before & 1) == 0)
            {
                var copy = _value;
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref _version) == before) return copy;
            }
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }
}

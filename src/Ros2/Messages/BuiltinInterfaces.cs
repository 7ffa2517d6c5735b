using Mlsh.Ros2.Cdr;

namespace Mlsh.Ros2.Messages.BuiltinInterfaces;

/// <summary>builtin_interfaces/msg/Time: seconds and nanoseconds since the epoch of the clock in use.</summary>
public sealed class Time : IRosMessage<Time>
{
    public const long NanosecondsPerSecond = 1_000_000_000L;

    public static RosMessageType MessageType { get; } = new("builtin_interfaces/msg/Time",
        RosField.Of("sec", RosPrimitive.Int32),
        RosField.Of("nanosec", RosPrimitive.UInt32));

    public int Sec { get; set; }
    public uint Nanosec { get; set; }

    /// <summary>Splits <paramref name="nanoseconds"/> the way rclcpp does: nanosec is always in [0, 1e9).</summary>
    public void SetNanoseconds(long nanoseconds)
    {
        var sec = Math.DivRem(nanoseconds, NanosecondsPerSecond, out var rem);
        if (rem < 0) { sec -= 1; rem += NanosecondsPerSecond; }
        if (sec is > int.MaxValue or < int.MinValue)
            throw new ArgumentOutOfRangeException(nameof(nanoseconds), nanoseconds, "builtin_interfaces/Time.sec is int32: the time must lie within 1901-2038 in seconds");
        Sec = (int)sec;
        Nanosec = (uint)rem;
    }

    public long ToNanoseconds() => Sec * NanosecondsPerSecond + Nanosec;

    public static Time FromNanoseconds(long nanoseconds)
    {
        var t = new Time();
        t.SetNanoseconds(nanoseconds);
        return t;
    }

    public void Serialize(CdrWriter writer)
    {
        writer.WriteInt32(Sec);
        writer.WriteUInt32(Nanosec);
    }

    public void Deserialize(CdrReader reader)
    {
        Sec = reader.ReadInt32();
        Nanosec = reader.ReadUInt32();
    }

    public override string ToString() => $"{Sec}.{Nanosec:D9}";
}

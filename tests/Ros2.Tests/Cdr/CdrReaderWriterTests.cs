using Mlsh.Ros2.Cdr;

namespace Mlsh.Ros2.Tests.Cdr;

public sealed class CdrReaderWriterTests
{
    [Fact]
    public void Reader_ThrowsNamingTheOffset_WhenTheMessageIsTruncated()
    {
        var writer = new CdrWriter();
        Mlsh.Ros2.Tests.TestSupport.SampleMessages.ImuSample().Serialize(writer);
        var reader = new CdrReader();
        reader.Begin(writer.WrittenSpan[..^5]);

        var act = () => new Imu().Deserialize(reader);
        act.Should().Throw<CdrException>().WithMessage("serialized message truncated: need 72 more bytes at offset 252, message is 319 bytes"); // linear_acceleration_covariance
    }

    [Fact]
    public void Reader_RejectsUnknownEncapsulations_WithTheExpectedOnes()
    {
        var act = () => new CdrReader().Begin(new byte[] { 0x00, 0x03, 0, 0, 1, 2, 3, 4 });
        act.Should().Throw<CdrException>().WithMessage("unsupported encapsulation 0x0003: expected 0x0001 (XCDR1 little-endian) or 0x0007 (XCDR2 little-endian)");
    }

    [Fact]
    public void Reader_RejectsASequenceLongerThanTheRemainingBytes_NamingTheField()
    {
        byte[] cdr = [0x00, 0x01, 0, 0, /* dim */ 0, 0, 0, 0, /* data_offset */ 0, 0, 0, 0, /* data count */ 0xff, 0xff, 0, 0];
        var reader = new CdrReader();
        reader.Begin(cdr);
        var act = () => new Float64MultiArray().Deserialize(reader);
        act.Should().Throw<CdrException>().WithMessage("std_msgs/Float64MultiArray.data: sequence claims 65535 elements but only 0 bytes remain");
    }

    [Fact]
    public void Reader_AlignsDoublesTo4_InXcdr2Data()
    {
        // XCDR2 (PLAIN_CDR2, 0x0007) caps alignment at 4: the doubles start right after the count, at payload offset 12.
        var cdr = new List<byte> { 0x00, 0x07, 0, 0 };
        cdr.AddRange(BitConverter.GetBytes(0u)); // layout.dim: empty
        cdr.AddRange(BitConverter.GetBytes(7u)); // layout.data_offset
        cdr.AddRange(BitConverter.GetBytes(2u)); // data count
        cdr.AddRange(BitConverter.GetBytes(1.25));
        cdr.AddRange(BitConverter.GetBytes(-8.5));
        var reader = new CdrReader();
        reader.Begin(cdr.ToArray());
        var msg = new Float64MultiArray();
        msg.Deserialize(reader);
        msg.Layout.DataOffset.Should().Be(7u);
        msg.Data.Should().Equal(1.25, -8.5);
    }

    [Fact]
    public void Writer_EncodesAsciiAndNonAsciiStrings_AsUtf8WithTheByteCountPrefix()
    {
        var writer = new CdrWriter();
        writer.WriteString("ab");
        writer.WriteString("Fuß");   // 4 UTF-8 bytes for 3 chars: the non-ASCII path, after padding
        writer.WriteString("");

        writer.WrittenSpan.ToArray().Should().Equal(
            0x00, 0x01, 0, 0,
            3, 0, 0, 0, (byte)'a', (byte)'b', 0, /* pad */ 0,
            5, 0, 0, 0, (byte)'F', (byte)'u', 0xc3, 0x9f, 0, /* pad */ 0, 0, 0,
            1, 0, 0, 0, 0);
    }

    [Fact]
    public void Reader_ComparesStringsByText_KeepingTheCurrentOneOnlyWhenTheTextIsEqual()
    {
        var writer = new CdrWriter();
        writer.WriteString("Fuß");
        writer.WriteString("abc");
        var reader = new CdrReader();
        var fuss = new string("Fuß".AsSpan());
        var nonAscii = "abç"; // same length as "abc", different text

        reader.Begin(writer.WrittenSpan);
        reader.ReadString(fuss, "f").Should().BeSameAs(fuss);
        var abc = reader.ReadString(nonAscii, "f");

        abc.Should().Be("abc");
        abc.Should().NotBeSameAs(nonAscii);
    }

    [Fact]
    public void Reader_ReusesUnchangedStringsAndArrays_InsteadOfAllocatingNewOnes()
    {
        var sent = JointState.WithJoints(["hip", "knee"], "base_link");
        var writer = new CdrWriter();
        sent.Serialize(writer);
        var received = new JointState();
        var reader = new CdrReader();
        reader.Begin(writer.WrittenSpan);
        received.Deserialize(reader);
        var (names, frame, position) = (received.Name, received.Header.FrameId, received.Position);

        reader.Begin(writer.WrittenSpan);
        received.Deserialize(reader);

        received.Name.Should().BeSameAs(names);
        received.Header.FrameId.Should().BeSameAs(frame);
        received.Position.Should().BeSameAs(position);
    }

    [Fact]
    public void Writer_RejectsAFixedArrayOfTheWrongLength_NamingTheField()
    {
        var gid = new Gid<JazzyLayout>();
        var writer = new CdrWriter();
        var act = () => writer.WriteByteArray(new byte[24], Gid<JazzyLayout>.Size, "rmw_dds_common/Gid.data");
        act.Should().Throw<CdrException>().WithMessage("rmw_dds_common/Gid.data: uint8[16] expected, the array has 24 elements");
        gid.Serialize(writer); // the message's own array always has the declared length
    }

    [Fact]
    public void Writer_RejectsABoundedStringOverItsBound()
    {
        var info = new NodeEntitiesInfo<JazzyLayout> { NodeName = new string('n', 257) };
        var act = () => info.Serialize(new CdrWriter());
        act.Should().Throw<CdrException>().WithMessage("rmw_dds_common/NodeEntitiesInfo.node_name: string is 257 UTF-8 bytes, the message definition allows at most 256");
    }

    [Fact]
    public void Writer_GrowsItsBuffer_ForLargeMessages()
    {
        var big = new Float64MultiArray { Data = Enumerable.Range(0, 10_000).Select(i => (double)i).ToArray() };
        var writer = new CdrWriter(initialCapacity: 64);
        big.Serialize(writer);
        // header, dim count, data_offset, data count, 4 bytes of padding so the doubles sit at an 8-aligned offset
        writer.Length.Should().Be(4 + 4 + 4 + 4 + 4 + 10_000 * 8);
        var back = new Float64MultiArray();
        var reader = new CdrReader();
        reader.Begin(writer.WrittenSpan);
        back.Deserialize(reader);
        back.Data.Should().Equal(big.Data);
    }

    [Theory]
    [InlineData(0L, 0, 0u)]
    [InlineData(1_500_000_000L, 1, 500_000_000u)]
    [InlineData(-1L, -1, 999_999_999u)]
    [InlineData(-1_500_000_000L, -2, 500_000_000u)]
    public void Time_SplitsNanoseconds_WithNanosecAlwaysInRange(long ns, int sec, uint nanosec)
    {
        var t = Time.FromNanoseconds(ns);
        t.Sec.Should().Be(sec);
        t.Nanosec.Should().Be(nanosec);
        t.ToNanoseconds().Should().Be(ns);
    }

    [Fact]
    public void Time_RejectsInstantsOutsideInt32Seconds()
    {
        var act = () => Time.FromNanoseconds(long.MaxValue);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*int32*");
    }

    [Fact]
    public void Quaternion_DefaultsToIdentity_LikeTheMsgDefinition() => new Quaternion().W.Should().Be(1.0);
}

using Mlsh.Ros2.Cdr;
using Mlsh.Ros2.Interop;

namespace Mlsh.Ros2.Tests.TestSupport;

/// <summary>
/// An independent C reference, run once per test class (a class fixture): compiles an IDL file with Cyclone's idlc,
/// builds a C program (which includes TestSupport/Reference/cyclone_reference.h) against the generated types and
/// libddsc, runs it and keeps what it prints: Cyclone's own XCDR1 serialization of sample messages and idlc's
/// topic descriptor of every type.
/// </summary>
public abstract class CycloneReferenceProgram
{
    private const string Harness = "TestSupport/Reference/cyclone_reference.h";

    /// <param name="idl">The IDL file, relative to the test output directory.</param>
    /// <param name="program">The C program that fills the samples and prints `cdr` and `desc` lines.</param>
    protected CycloneReferenceProgram(string idl, string program)
    {
        var dir = NativeToolchain.WorkDirectoryWith(idl, program, Harness);
        var idlName = Path.GetFileName(idl);
        NativeToolchain.Run("idlc", $"-t {idlName}", dir);
        var prog = NativeToolchain.CompileWithDdsc(dir, Path.GetFileName(program), Path.ChangeExtension(idlName, ".c"));
        foreach (var line in NativeToolchain.Run(prog, "", dir).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts[0] == "cdr") Payloads[parts[1]] = parts.Length > 2 ? parts[2] : "";
            else if (parts[0] == "desc") Descriptors[parts[1]] = parts[2..];
        }
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>Hex XCDR1 payload (after the 4-byte encapsulation header) by DDS type name.</summary>
    public Dictionary<string, string> Payloads { get; } = [];

    /// <summary>idlc's m_size, m_align, m_flagset, m_nops and op words (hex) by DDS type name.</summary>
    public Dictionary<string, string[]> Descriptors { get; } = [];

    /// <summary>
    /// Serializes <paramref name="message"/> with Mlsh's CDR writer, asserts the bytes are Cyclone's for
    /// <paramref name="type"/> and returns them (encapsulation header included).
    /// </summary>
    public byte[] SerializationShouldMatchCyclone(IRosMessage message, RosMessageType type)
    {
        var writer = new CdrWriter();
        message.Serialize(writer);
        var ours = writer.WrittenSpan.ToArray();

        ours[..4].Should().Equal([0x00, 0x01, 0x00, 0x00], "XCDR1 little-endian encapsulation, no options");
        Payloads.Should().ContainKey(type.DdsTypeName);
        Convert.ToHexString(ours[4..]).ToLowerInvariant().Should().Be(Payloads[type.DdsTypeName]);
        return ours;
    }

    /// <summary>
    /// Reads Cyclone's bytes for <paramref name="type"/> into a fresh message of <paramref name="expected"/>'s class
    /// and asserts it equals <paramref name="expected"/>, with no byte left over.
    /// </summary>
    public void DeserializationShouldRecover(IRosMessage expected, RosMessageType type)
    {
        var reader = new CdrReader();
        reader.Begin(Convert.FromHexString("00010000" + Payloads[type.DdsTypeName]));
        var actual = (IRosMessage)Activator.CreateInstance(expected.GetType())!;
        actual.Deserialize(reader);

        actual.Should().BeEquivalentTo(expected, o => o.RespectingRuntimeTypes());
        reader.Remaining.Should().Be(0);
    }

    /// <summary>Asserts that the descriptor Mlsh builds for <paramref name="type"/> is idlc's, word for word.</summary>
    public void DescriptorShouldMatchIdlc(RosMessageType type)
    {
        var ours = TopicDescriptorBuilder.Build(type);
        var idlc = Descriptors[type.DdsTypeName];

        ours.Size.Should().Be(uint.Parse(idlc[0]), "m_size");
        ours.Align.Should().Be(uint.Parse(idlc[1]), "m_align");
        ours.FlagSet.Should().Be(uint.Parse(idlc[2]), "m_flagset");
        ours.InstructionCount.Should().Be(uint.Parse(idlc[3]), "m_nops");
        ours.Ops.Select(w => w.ToString("x8")).Should().Equal(idlc[4..]);
    }
}

using System.Runtime.InteropServices;
using Mlsh.Ros2.Messages;

namespace Mlsh.Ros2.Interop;

/// <summary>
/// Builds a Cyclone DDS topic descriptor (dds_topic_descriptor_t: C layout of the type plus the DDS_OP_*
/// serializer bytecode) from a <see cref="RosMessageType"/> at run time.
/// </summary>
/// <remarks>
/// DESIGN: generated at run time rather than by idlc at build time, so the build needs no C toolchain and the
/// message metadata lives in one place (the C# message class). The bytecode follows idlc 0.10.2 exactly (same
/// instruction order, nested types emitted depth-first after the top-level type, same C offsets); the test
/// TopicDescriptorBuilderTests compares it word for word with what idlc emits for ros_messages.idl.
/// Cyclone uses the ops to validate every sample our serializer hands it (dds_stream_normalize) and to
/// serialize in idlc-generated peers; it never touches a C sample of ours.
/// </remarks>
internal static class TopicDescriptorBuilder
{
    // dds_opcodes.h (0.10.2)
    internal const uint DDS_OP_RTS = 0x00u << 24;
    internal const uint DDS_OP_ADR = 0x01u << 24;
    internal const uint VAL_1BY = 0x01, VAL_2BY = 0x02, VAL_4BY = 0x03, VAL_8BY = 0x04, VAL_STR = 0x05, VAL_BST = 0x06,
        VAL_SEQ = 0x07, VAL_ARR = 0x08, VAL_STU = 0x0a, VAL_EXT = 0x0d, VAL_BLN = 0x0e;
    internal const uint DDS_OP_FLAG_FP = 1u << 1;
    internal const uint DDS_OP_FLAG_SGN = 1u << 2;
    internal const uint DDS_TOPIC_FIXED_SIZE = 1u << 4;

    /// <summary>The pieces of a descriptor, in managed form (tests compare these with idlc's output).</summary>
    internal sealed record Descriptor(string TypeName, uint Size, uint Align, uint FlagSet, uint InstructionCount, uint[] Ops);

    private sealed record Layout(uint Size, uint Align, uint[] Offsets);

    public static Descriptor Build(RosMessageType type)
    {
        var order = new List<RosMessageType>();
        CollectDepthFirst(type, order, new HashSet<RosMessageType>());
        var layouts = new Dictionary<RosMessageType, Layout>();
        foreach (var t in order) LayoutOf(t, layouts);

        var ops = new List<uint>();
        var start = new Dictionary<RosMessageType, int>();
        var patches = new List<(int Index, int InstructionStart, RosMessageType Target, uint Length)>();
        uint instructions = 0;
        foreach (var t in order)
        {
            start[t] = ops.Count;
            var layout = layouts[t];
            for (var i = 0; i < t.Fields.Count; i++)
            {
                var f = t.Fields[i];
                var at = ops.Count;
                var offset = layout.Offsets[i];
                instructions++;
                switch (f.Shape)
                {
                    case RosFieldShape.Single when f.Message != null:
                        ops.Add(DDS_OP_ADR | (VAL_EXT << 16));
                        ops.Add(offset);
                        patches.Add((ops.Count, at, f.Message, 3));
                        ops.Add(0);
                        break;
                    case RosFieldShape.Single when f.Primitive == RosPrimitive.String && f.StringBound > 0:
                        ops.Add(DDS_OP_ADR | (VAL_BST << 16));
                        ops.Add(offset);
                        ops.Add((uint)f.StringBound + 1);
                        break;
                    case RosFieldShape.Single:
                        ops.Add(DDS_OP_ADR | (Code(f.Primitive!.Value) << 16) | Flags(f.Primitive.Value));
                        ops.Add(offset);
                        break;
                    case RosFieldShape.Sequence when f.Message != null:
                        ops.Add(DDS_OP_ADR | (VAL_SEQ << 16) | (VAL_STU << 8));
                        ops.Add(offset);
                        ops.Add(layouts[f.Message].Size);
                        patches.Add((ops.Count, at, f.Message, 4));
                        ops.Add(0);
                        break;
                    case RosFieldShape.Sequence:
                        ops.Add(DDS_OP_ADR | (VAL_SEQ << 16) | (Code(f.Primitive!.Value) << 8) | Flags(f.Primitive.Value));
                        ops.Add(offset);
                        break;
                    case RosFieldShape.Array when f.Primitive is { } p && p != RosPrimitive.String:
                        ops.Add(DDS_OP_ADR | (VAL_ARR << 16) | (Code(p) << 8) | Flags(p));
                        ops.Add(offset);
                        ops.Add((uint)f.ArrayLength);
                        break;
                    default:
                        throw new NotSupportedException(
                            $"{t.RosName}.{f.Name}: fixed arrays of strings or messages are not used by Mlsh's messages and have no descriptor support");
                }
            }
            ops.Add(DDS_OP_RTS);
            instructions++;
        }
        foreach (var (index, instructionStart, target, length) in patches)
        {
            var jump = start[target] - instructionStart;
            ops[index] = (length << 16) | ((uint)jump & 0xffffu);
        }
        var top = layouts[type];
        var flags = IsFixedSize(type) ? DDS_TOPIC_FIXED_SIZE : 0u;
        return new Descriptor(type.DdsTypeName, top.Size, top.Align, flags, instructions, ops.ToArray());
    }

    private static void CollectDepthFirst(RosMessageType t, List<RosMessageType> order, HashSet<RosMessageType> seen)
    {
        if (!seen.Add(t)) return;
        order.Add(t);
        foreach (var f in t.Fields)
            if (f.Message != null) CollectDepthFirst(f.Message, order, seen);
    }

    private static bool IsFixedSize(RosMessageType t) =>
        t.Fields.All(f => f.Shape != RosFieldShape.Sequence
                          && f.Primitive != RosPrimitive.String
                          && (f.Message == null || IsFixedSize(f.Message)));

    private static uint Code(RosPrimitive p) => p switch
    {
        RosPrimitive.Bool => VAL_BLN,
        RosPrimitive.Octet or RosPrimitive.UInt8 or RosPrimitive.Int8 => VAL_1BY,
        RosPrimitive.Int16 or RosPrimitive.UInt16 => VAL_2BY,
        RosPrimitive.Int32 or RosPrimitive.UInt32 or RosPrimitive.Float32 => VAL_4BY,
        RosPrimitive.Int64 or RosPrimitive.UInt64 or RosPrimitive.Float64 => VAL_8BY,
        RosPrimitive.String => VAL_STR,
        _ => throw new ArgumentOutOfRangeException(nameof(p), p, null),
    };

    private static uint Flags(RosPrimitive p) => p switch
    {
        RosPrimitive.Int8 or RosPrimitive.Int16 or RosPrimitive.Int32 or RosPrimitive.Int64 => DDS_OP_FLAG_SGN,
        RosPrimitive.Float32 or RosPrimitive.Float64 => DDS_OP_FLAG_FP,
        _ => 0u,
    };

    /// <summary>x86-64/AArch64 C layout of the struct idlc would generate (strings are char*, sequences dds_sequence_t).</summary>
    private static Layout LayoutOf(RosMessageType t, Dictionary<RosMessageType, Layout> cache)
    {
        if (cache.TryGetValue(t, out var cached)) return cached;
        uint offset = 0, align = 1;
        var offsets = new uint[t.Fields.Count];
        for (var i = 0; i < t.Fields.Count; i++)
        {
            var f = t.Fields[i];
            (uint size, uint a) = f switch
            {
                { Shape: RosFieldShape.Sequence } => (24u, 8u), // {uint32 _maximum, _length; T* _buffer; bool _release}
                { Message: { } m } => (LayoutOf(m, cache).Size, LayoutOf(m, cache).Align),
                { Primitive: RosPrimitive.String, StringBound: > 0 } => ((uint)f.StringBound + 1, 1u),
                { Primitive: RosPrimitive.String } => (8u, 8u),
                { Shape: RosFieldShape.Array } => (PrimitiveSize(f.Primitive!.Value) * (uint)f.ArrayLength, PrimitiveSize(f.Primitive.Value)),
                _ => (PrimitiveSize(f.Primitive!.Value), PrimitiveSize(f.Primitive.Value)),
            };
            offset = AlignUp(offset, a);
            offsets[i] = offset;
            offset += size;
            align = Math.Max(align, a);
        }
        var layout = new Layout(AlignUp(Math.Max(offset, 1), align), align, offsets);
        cache[t] = layout;
        return layout;
    }

    private static uint PrimitiveSize(RosPrimitive p) => p switch
    {
        RosPrimitive.Bool or RosPrimitive.Octet or RosPrimitive.UInt8 or RosPrimitive.Int8 => 1,
        RosPrimitive.Int16 or RosPrimitive.UInt16 => 2,
        RosPrimitive.Int32 or RosPrimitive.UInt32 or RosPrimitive.Float32 => 4,
        _ => 8,
    };

    private static uint AlignUp(uint v, uint a) => (v + a - 1) / a * a;

    /// <summary>
    /// A descriptor in native memory, kept for the life of the process. Cyclone copies what it needs when the
    /// topic is created, but one small block per message type is cheaper than reasoning about lifetimes.
    /// </summary>
    public static unsafe DdsStructs.dds_topic_descriptor_t* Native(RosMessageType type)
    {
        lock (NativeCache)
        {
            if (NativeCache.TryGetValue(type, out var existing)) return (DdsStructs.dds_topic_descriptor_t*)existing;
            var d = Build(type);
            var desc = (DdsStructs.dds_topic_descriptor_t*)NativeMemory.AllocZeroed((nuint)sizeof(DdsStructs.dds_topic_descriptor_t));
            var ops = (uint*)NativeMemory.Alloc((nuint)(d.Ops.Length * sizeof(uint)));
            d.Ops.CopyTo(new Span<uint>(ops, d.Ops.Length));
            desc->m_size = d.Size;
            desc->m_align = d.Align;
            desc->m_flagset = d.FlagSet;
            desc->m_nkeys = 0;
            desc->m_typename = (byte*)Marshal.StringToCoTaskMemUTF8(d.TypeName);
            desc->m_nops = d.InstructionCount;
            desc->m_ops = ops;
            desc->m_meta = (byte*)Marshal.StringToCoTaskMemUTF8(string.Empty);
            NativeCache[type] = (IntPtr)desc;
            return desc;
        }
    }

    private static readonly Dictionary<RosMessageType, IntPtr> NativeCache = new(ReferenceEqualityComparer.Instance);
}

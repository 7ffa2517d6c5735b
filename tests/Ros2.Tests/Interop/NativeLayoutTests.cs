using System.Runtime.InteropServices;
using Mlsh.Ros2.Interop;
using Mlsh.Ros2.Tests.TestSupport;

namespace Mlsh.Ros2.Tests.Interop;

/// <summary>
/// Proves every struct mirrored in <see cref="DdsStructs"/> against the installed Cyclone headers: a C program
/// prints offsetof/sizeof for each field and the C# layout must agree.
/// </summary>
public sealed class NativeLayoutTests
{
    // C struct name -> (C# mirror, fields to check; C and C# field names are identical).
    private static readonly (string C, Type Mirror, string[] Fields)[] Structs =
    [
        ("dds_guid_t", typeof(DdsStructs.dds_guid_t), ["v"]),
        ("dds_sample_info_t", typeof(DdsStructs.dds_sample_info_t),
            ["sample_state", "view_state", "instance_state", "valid_data", "source_timestamp", "instance_handle", "publication_handle",
             "disposed_generation_count", "no_writers_generation_count", "sample_rank", "generation_rank", "absolute_generation_rank"]),
        ("dds_publication_matched_status_t", typeof(DdsStructs.dds_publication_matched_status_t),
            ["total_count", "total_count_change", "current_count", "current_count_change", "last_subscription_handle"]),
        ("dds_subscription_matched_status_t", typeof(DdsStructs.dds_subscription_matched_status_t),
            ["total_count", "total_count_change", "current_count", "current_count_change", "last_publication_handle"]),
        ("dds_requested_incompatible_qos_status_t", typeof(DdsStructs.dds_incompatible_qos_status_t), ["total_count", "total_count_change", "last_policy_id"]),
        ("dds_offered_incompatible_qos_status_t", typeof(DdsStructs.dds_incompatible_qos_status_t), ["total_count", "total_count_change", "last_policy_id"]),
        ("dds_requested_deadline_missed_status_t", typeof(DdsStructs.dds_deadline_missed_status_t), ["total_count", "total_count_change", "last_instance_handle"]),
        ("dds_builtintopic_endpoint_t", typeof(DdsStructs.dds_builtintopic_endpoint_t),
            ["key", "participant_key", "participant_instance_handle", "topic_name", "type_name", "qos"]),
        ("dds_topic_descriptor_t", typeof(DdsStructs.dds_topic_descriptor_t),
            ["m_size", "m_align", "m_flagset", "m_nkeys", "m_typename", "m_keys", "m_nops", "m_ops", "m_meta", "type_information", "type_mapping", "restrict_data_representation"]),
        ("ddsrt_iovec_t", typeof(DdsStructs.ddsrt_iovec_t), ["iov_base", "iov_len"]),
        ("struct ddsi_serdata", typeof(DdsStructs.ddsi_serdata),
            ["ops", "hash", "refc", "kind", "type", "timestamp", "statusinfo", "twrite", "iox_chunk", "iox_subscriber"]),
        ("struct ddsi_serdata_ops", typeof(DdsStructs.ddsi_serdata_ops),
            ["eqkey", "get_size", "from_ser", "from_ser_iov", "from_keyhash", "from_sample", "to_ser", "to_ser_ref", "to_ser_unref",
             "to_sample", "to_untyped", "untyped_to_sample", "free", "print", "get_keyhash", "get_sample_size", "from_iox_buffer"]),
        ("struct ddsi_sertype", typeof(DdsStructs.ddsi_sertype),
            ["ops", "serdata_ops", "serdata_basehash", "allowed_data_representation", "type_name", "gv", "flags_refc", "base_sertype", "wrapped_sertopic", "iox_size"]),
        ("struct ddsi_sertype_ops", typeof(DdsStructs.ddsi_sertype_ops),
            ["version", "arg", "free", "zero_samples", "realloc_samples", "free_samples", "equal", "hash", "type_id", "type_map",
             "type_info", "derive_sertype", "get_serialized_size", "serialize_into"]),
    ];

    [Fact]
    public void StructMirrors_MatchOffsetofAndSizeofOfTheInstalledHeaders()
    {
        var c = new System.Text.StringBuilder();
        c.AppendLine("#include <stdio.h>\n#include <stddef.h>\n#include \"dds/dds.h\"\n#include \"dds/ddsi/ddsi_serdata.h\"\n#include \"dds/ddsi/ddsi_sertype.h\"");
        c.AppendLine("int main(void) {");
        foreach (var (name, _, fields) in Structs)
        {
            c.AppendLine($"  printf(\"{name}|sizeof|%zu\\n\", sizeof({name}));");
            foreach (var f in fields) c.AppendLine($"  printf(\"{name}|{f}|%zu\\n\", offsetof({name}, {f}));");
        }
        c.AppendLine("  return 0; }");
        var dir = Directory.CreateTempSubdirectory("mlsh-ros2-layout-").FullName;
        File.WriteAllText(Path.Combine(dir, "layout.c"), c.ToString());
        var output = NativeToolchain.Run(NativeToolchain.CompileWithDdsc(dir, "layout.c"), "", dir);
        Directory.Delete(dir, recursive: true);

        var expected = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|')).ToDictionary(p => p[0] + "|" + p[1], p => long.Parse(p[2]));
        var mismatches = new List<string>();
        foreach (var (name, mirror, fields) in Structs)
        {
            Check(name, "sizeof", Marshal.SizeOf(mirror));
            foreach (var f in fields) Check(name, f, Marshal.OffsetOf(mirror, f).ToInt64());
        }
        mismatches.Should().BeEmpty();

        void Check(string s, string f, long actual)
        {
            if (expected[s + "|" + f] != actual) mismatches.Add($"{s}.{f}: C {expected[s + "|" + f]}, C# {actual}");
        }
    }
}

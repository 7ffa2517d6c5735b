using System.Runtime.InteropServices;

namespace Mlsh.Ros2.Interop;

/// <summary>
/// C# mirrors of the Cyclone DDS 0.10.2 structs Mlsh reads or writes. Debian builds libddsc with
/// DDS_HAS_SHM (iceoryx), which adds the iox fields below; NativeLayoutTests compiles a C program against
/// the installed headers and compares every offset and size here with offsetof/sizeof.
/// </summary>
internal static unsafe class DdsStructs
{
    [StructLayout(LayoutKind.Sequential)]
    public struct dds_guid_t
    {
        public fixed byte v[16];
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct dds_sample_info_t
    {
        public uint sample_state;
        public uint view_state;
        public uint instance_state;
        public byte valid_data;
        public long source_timestamp;
        public ulong instance_handle;
        public ulong publication_handle;
        public uint disposed_generation_count;
        public uint no_writers_generation_count;
        public uint sample_rank;
        public uint generation_rank;
        public uint absolute_generation_rank;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct dds_publication_matched_status_t
    {
        public uint total_count;
        public int total_count_change;
        public uint current_count;
        public int current_count_change;
        public ulong last_subscription_handle;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct dds_subscription_matched_status_t
    {
        public uint total_count;
        public int total_count_change;
        public uint current_count;
        public int current_count_change;
        public ulong last_publication_handle;
    }

    /// <summary>Same layout for dds_offered_incompatible_qos_status_t and dds_requested_incompatible_qos_status_t.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct dds_incompatible_qos_status_t
    {
        public uint total_count;
        public int total_count_change;
        public uint last_policy_id;
    }

    /// <summary>Same layout for the offered and requested deadline missed statuses.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct dds_deadline_missed_status_t
    {
        public uint total_count;
        public int total_count_change;
        public ulong last_instance_handle;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct dds_builtintopic_endpoint_t
    {
        public dds_guid_t key;
        public dds_guid_t participant_key;
        public ulong participant_instance_handle;
        public byte* topic_name;
        public byte* type_name;
        public IntPtr qos;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct dds_type_meta_ser
    {
        public byte* data;
        public uint sz;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct dds_topic_descriptor_t
    {
        public uint m_size;
        public uint m_align;
        public uint m_flagset;
        public uint m_nkeys;
        public byte* m_typename;
        public void* m_keys;
        public uint m_nops;
        public uint* m_ops;
        public byte* m_meta;
        public dds_type_meta_ser type_information;
        public dds_type_meta_ser type_mapping;
        public uint restrict_data_representation;
    }

    /// <summary>struct iovec on Linux (ddsrt_iovec_t).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ddsrt_iovec_t
    {
        public void* iov_base;
        public nuint iov_len;
    }

    /// <summary>The common header of every serialized sample (struct ddsi_serdata).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ddsi_serdata
    {
        public ddsi_serdata_ops* ops;
        public uint hash;
        public uint refc;
        public int kind;
        public ddsi_sertype* type;
        public long timestamp;
        public uint statusinfo;
        public long twrite;
        public void* iox_chunk;
        public void* iox_subscriber;
    }

    public const int SDK_DATA = 2;

    [StructLayout(LayoutKind.Sequential)]
    public struct ddsi_serdata_ops
    {
        public IntPtr eqkey;
        public IntPtr get_size;
        public IntPtr from_ser;
        public IntPtr from_ser_iov;
        public IntPtr from_keyhash;
        public IntPtr from_sample;
        public IntPtr to_ser;
        public IntPtr to_ser_ref;
        public IntPtr to_ser_unref;
        public IntPtr to_sample;
        public IntPtr to_untyped;
        public IntPtr untyped_to_sample;
        public IntPtr free;
        public IntPtr print;
        public IntPtr get_keyhash;
        public IntPtr get_sample_size;
        public IntPtr from_iox_buffer;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct ddsi_sertype
    {
        public ddsi_sertype_ops* ops;
        public ddsi_serdata_ops* serdata_ops;
        public uint serdata_basehash;
        public uint flag_bits; // typekind_no_key : 1, request_keyhash : 1, fixed_size : 1
        public uint allowed_data_representation;
        public byte* type_name;
        public IntPtr gv;
        public uint flags_refc;
        public ddsi_sertype* base_sertype;
        public void* wrapped_sertopic;
        public uint iox_size;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct ddsi_sertype_ops
    {
        public IntPtr version;
        public void* arg;
        public IntPtr free;
        public IntPtr zero_samples;
        public IntPtr realloc_samples;
        public IntPtr free_samples;
        public IntPtr equal;
        public IntPtr hash;
        public IntPtr type_id;
        public IntPtr type_map;
        public IntPtr type_info;
        public IntPtr derive_sertype;
        public IntPtr get_serialized_size;
        public IntPtr serialize_into;
    }
}

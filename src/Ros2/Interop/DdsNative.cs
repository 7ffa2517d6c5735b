using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mlsh.Ros2.Interop;

/// <summary>
/// Every libddsc (Eclipse Cyclone DDS 0.10) entry point Mlsh calls, with the C names kept as they are.
/// Struct mirrors live in <see cref="DdsStructs"/>; their offsets are proven against the installed headers
/// by tests/Ros2.Tests/Interop/NativeLayoutTests.
/// </summary>
internal static unsafe partial class DdsNative
{
    /// <summary>Debian's cyclonedds-dev links libddsc.so; the runtime package only ships the versioned name.</summary>
    public const string Library = "ddsc";

    private static readonly string[] FallbackNames = ["libddsc.so.0debian", "libddsc.so.0"];

    public const uint DDS_DOMAIN_DEFAULT = 0xffffffffu;
    public const int DDS_MIN_PSEUDO_HANDLE = 0x7fff0000;
    public const int DDS_BUILTIN_TOPIC_DCPSPUBLICATION = DDS_MIN_PSEUDO_HANDLE + 3;
    public const int DDS_BUILTIN_TOPIC_DCPSSUBSCRIPTION = DDS_MIN_PSEUDO_HANDLE + 4;
    public const long DDS_INFINITY = long.MaxValue;

    public const uint DDS_OFFERED_INCOMPATIBLE_QOS_STATUS = 1u << 3;
    public const uint DDS_REQUESTED_INCOMPATIBLE_QOS_STATUS = 1u << 4;
    public const uint DDS_DATA_AVAILABLE_STATUS = 1u << 8;
    public const uint DDS_PUBLICATION_MATCHED_STATUS = 1u << 11;
    public const uint DDS_SUBSCRIPTION_MATCHED_STATUS = 1u << 12;

    public const uint DDS_IST_ALIVE = 16u;
    public const uint DDS_ANY_STATE = 0x7f; // any sample, view and instance state
    public const short DDS_DATA_REPRESENTATION_XCDR1 = 0;
    public const short DDS_DATA_REPRESENTATION_XCDR2 = 2;

    static DdsNative()
    {
        NativeLibrary.SetDllImportResolver(typeof(DdsNative).Assembly, static (name, assembly, path) =>
        {
            if (name != Library) return IntPtr.Zero;
            if (NativeLibrary.TryLoad(name, assembly, path, out var handle)) return handle;
            foreach (var candidate in FallbackNames)
                if (NativeLibrary.TryLoad(candidate, out handle)) return handle;
            return IntPtr.Zero;
        });
    }

    /// <summary>Loads libddsc (runs the resolver above) and returns the address of an exported symbol.</summary>
    public static IntPtr GetExport(string symbol)
    {
        var lib = NativeLibrary.Load(Library, typeof(DdsNative).Assembly, null);
        return NativeLibrary.GetExport(lib, symbol);
    }

    // --- errors ---------------------------------------------------------------------------------------
    [LibraryImport(Library)] public static partial byte* dds_strretcode(int ret);

    // --- entities -------------------------------------------------------------------------------------
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int dds_create_domain(uint domain, string? config);
    [LibraryImport(Library)] public static partial int dds_create_participant(uint domain, IntPtr qos, IntPtr listener);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int dds_create_topic(int participant, DdsStructs.dds_topic_descriptor_t* descriptor, string name, IntPtr qos, IntPtr listener);
    [LibraryImport(Library)] public static partial int dds_create_writer(int participantOrPublisher, int topic, IntPtr qos, IntPtr listener);
    [LibraryImport(Library)] public static partial int dds_create_reader(int participantOrSubscriber, int topic, IntPtr qos, IntPtr listener);
    [LibraryImport(Library)] public static partial int dds_delete(int entity);
    [LibraryImport(Library)] public static partial int dds_get_guid(int entity, DdsStructs.dds_guid_t* guid);
    [LibraryImport(Library)] public static partial int dds_get_instance_handle(int entity, ulong* handle);
    [LibraryImport(Library)] public static partial int dds_set_status_mask(int entity, uint mask);

    // --- data -----------------------------------------------------------------------------------------
    [LibraryImport(Library)] public static partial int dds_writecdr(int writer, DdsStructs.ddsi_serdata* serdata);
    [LibraryImport(Library)] public static partial int dds_takecdr(int reader, DdsStructs.ddsi_serdata** buf, uint maxs, DdsStructs.dds_sample_info_t* si, uint mask);
    [LibraryImport(Library)] public static partial int dds_take(int reader, void** buf, DdsStructs.dds_sample_info_t* si, nuint bufsz, uint maxs);
    [LibraryImport(Library)] public static partial int dds_read(int reader, void** buf, DdsStructs.dds_sample_info_t* si, nuint bufsz, uint maxs);
    [LibraryImport(Library)] public static partial int dds_return_loan(int entity, void** buf, int bufsz);
    [LibraryImport(Library)] public static partial uint ddsi_serdata_size(DdsStructs.ddsi_serdata* d);
    [LibraryImport(Library)] public static partial void ddsi_serdata_to_ser(DdsStructs.ddsi_serdata* d, nuint off, nuint sz, void* buf);
    [LibraryImport(Library)] public static partial void ddsi_serdata_unref(DdsStructs.ddsi_serdata* d);

    // --- waitsets and conditions ----------------------------------------------------------------------
    [LibraryImport(Library)] public static partial int dds_create_waitset(int participant);
    [LibraryImport(Library)] public static partial int dds_create_readcondition(int reader, uint mask);
    [LibraryImport(Library)] public static partial int dds_create_guardcondition(int participant);
    [LibraryImport(Library)] public static partial int dds_set_guardcondition(int guard, [MarshalAs(UnmanagedType.U1)] bool triggered);
    [LibraryImport(Library)] public static partial int dds_waitset_attach(int waitset, int entity, IntPtr x);
    [LibraryImport(Library)] public static partial int dds_waitset_wait(int waitset, IntPtr* xs, nuint nxs, long reltimeout);

    // --- status ---------------------------------------------------------------------------------------
    [LibraryImport(Library)] public static partial int dds_get_publication_matched_status(int writer, DdsStructs.dds_publication_matched_status_t* status);
    [LibraryImport(Library)] public static partial int dds_get_subscription_matched_status(int reader, DdsStructs.dds_subscription_matched_status_t* status);
    [LibraryImport(Library)] public static partial int dds_get_offered_incompatible_qos_status(int writer, DdsStructs.dds_incompatible_qos_status_t* status);
    [LibraryImport(Library)] public static partial int dds_get_requested_incompatible_qos_status(int reader, DdsStructs.dds_incompatible_qos_status_t* status);
    [LibraryImport(Library)] public static partial int dds_get_requested_deadline_missed_status(int reader, DdsStructs.dds_deadline_missed_status_t* status);
    [LibraryImport(Library)] public static partial int dds_get_offered_deadline_missed_status(int writer, DdsStructs.dds_deadline_missed_status_t* status);

    // --- listeners ------------------------------------------------------------------------------------
    [LibraryImport(Library)] public static partial IntPtr dds_create_listener(IntPtr arg);
    [LibraryImport(Library)] public static partial void dds_delete_listener(IntPtr listener);
    [LibraryImport(Library)]
    public static partial void dds_lset_requested_incompatible_qos(IntPtr listener, delegate* unmanaged[Cdecl]<int, DdsStructs.dds_incompatible_qos_status_t, IntPtr, void> callback);
    [LibraryImport(Library)]
    public static partial void dds_lset_offered_incompatible_qos(IntPtr listener, delegate* unmanaged[Cdecl]<int, DdsStructs.dds_incompatible_qos_status_t, IntPtr, void> callback);
    [LibraryImport(Library)]
    public static partial void dds_lset_data_available(IntPtr listener, delegate* unmanaged[Cdecl]<int, IntPtr, void> callback);
    [LibraryImport(Library)] public static partial int dds_set_listener(int entity, IntPtr listener);
    [LibraryImport(Library)]
    public static partial void dds_lset_requested_deadline_missed(IntPtr listener, delegate* unmanaged[Cdecl]<int, DdsStructs.dds_deadline_missed_status_t, IntPtr, void> callback);

    // --- QoS ------------------------------------------------------------------------------------------
    [LibraryImport(Library)] public static partial IntPtr dds_create_qos();
    [LibraryImport(Library)] public static partial void dds_delete_qos(IntPtr qos);
    [LibraryImport(Library)] public static partial void dds_qset_reliability(IntPtr qos, int kind, long maxBlockingTime);
    [LibraryImport(Library)] public static partial void dds_qset_durability(IntPtr qos, int kind);
    [LibraryImport(Library)] public static partial void dds_qset_history(IntPtr qos, int kind, int depth);
    [LibraryImport(Library)] public static partial void dds_qset_deadline(IntPtr qos, long deadline);
    [LibraryImport(Library)] public static partial void dds_qset_liveliness(IntPtr qos, int kind, long leaseDuration);
    [LibraryImport(Library)] public static partial void dds_qset_userdata(IntPtr qos, void* value, nuint size);
    [LibraryImport(Library)] public static partial void dds_qset_data_representation(IntPtr qos, uint n, short* values);
    [LibraryImport(Library)] [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool dds_qget_userdata(IntPtr qos, void** value, nuint* size);
    [LibraryImport(Library)] [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool dds_qget_reliability(IntPtr qos, int* kind, long* maxBlockingTime);
    [LibraryImport(Library)] [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool dds_qget_durability(IntPtr qos, int* kind);
    [LibraryImport(Library)] public static partial void dds_free(void* ptr);
    [LibraryImport(Library)] public static partial int dds_get_qos(int entity, IntPtr qos);

    /// <summary>Strings from dds_strretcode are static storage owned by Cyclone.</summary>
    public static string RetcodeText(int ret)
    {
        var text = dds_strretcode(ret);
        return text == null ? $"retcode {ret}" : Marshal.PtrToStringUTF8((IntPtr)text) ?? $"retcode {ret}";
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsError(int ret) => ret < 0;
}

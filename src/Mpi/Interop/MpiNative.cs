using System.Runtime.InteropServices;
using Mlsh.Core.Interop;

namespace Mlsh.Mpi.Interop;

/// <summary>
/// Every Open MPI 4.x entry point Mlsh calls. MPI handles (MPI_Comm, MPI_Datatype, MPI_Op, MPI_Errhandler)
/// are pointers in Open MPI; the predefined ones are the addresses of exported globals
/// (MPI_COMM_WORLD is <c>&amp;ompi_mpi_comm_world</c>), resolved once in <see cref="Load"/>.
/// </summary>
internal static unsafe partial class MpiNative
{
    internal const string Lib = "libmpi.so.40";

    internal const int MPI_SUCCESS = 0;
    internal const int MPI_UNDEFINED = -32766;
    internal const int MPI_MAX_ERROR_STRING = 256;
    internal const int MPI_THREAD_SINGLE = 0;
    internal const int MPI_THREAD_FUNNELED = 1;
    internal const int MPI_THREAD_SERIALIZED = 2;
    internal const int MPI_THREAD_MULTIPLE = 3;
    internal static readonly nint MPI_IN_PLACE = 1;

    private static readonly Lock LoadLock = new();
    private static nint _library;

    internal static nint CommWorld { get; private set; }
    internal static nint CommNull { get; private set; }
    internal static nint TypeByte { get; private set; }
    internal static nint TypeInt32 { get; private set; }
    internal static nint TypeFloat { get; private set; }
    internal static nint TypeDouble { get; private set; }
    internal static nint TypeInt64 { get; private set; }
    internal static nint OpSum { get; private set; }
    internal static nint OpMax { get; private set; }
    internal static nint OpMin { get; private set; }
    internal static nint ErrorsReturn { get; private set; }

    /// <summary>
    /// Loads libmpi with RTLD_GLOBAL before any P/Invoke touches it, then resolves the predefined handles.
    /// </summary>
    // DESIGN: .NET dlopens native libraries RTLD_LOCAL. Open MPI's MCA plugins (mca_pml_ob1.so, ...) are
    // themselves dlopened by libmpi and expect libmpi's symbols in the global namespace, so a plain
    // [LibraryImport] load fails inside MPI_Init with "undefined symbol: ompi_...". Loading it first with
    // RTLD_GLOBAL makes the later RTLD_LOCAL load by the runtime return the same, already global, object.
    internal static void Load()
    {
        lock (LoadLock)
        {
            if (_library != 0) return;
            var handle = LibcNative.dlopen(Lib, LibcNative.RTLD_NOW | LibcNative.RTLD_GLOBAL);
            if (handle == 0)
                throw new MpiException("dlopen", 0,
                    $"cannot load {Lib} ({LibcNative.DlErrorText()}); install Open MPI (apt-get install libopenmpi-dev openmpi-bin, see scripts/setup.sh)");
            CommWorld = Export(handle, "ompi_mpi_comm_world");
            CommNull = Export(handle, "ompi_mpi_comm_null");
            TypeByte = Export(handle, "ompi_mpi_byte");
            TypeInt32 = Export(handle, "ompi_mpi_int32_t");
            TypeFloat = Export(handle, "ompi_mpi_float");
            TypeDouble = Export(handle, "ompi_mpi_double");
            TypeInt64 = Export(handle, "ompi_mpi_int64_t");
            OpSum = Export(handle, "ompi_mpi_op_sum");
            OpMax = Export(handle, "ompi_mpi_op_max");
            OpMin = Export(handle, "ompi_mpi_op_min");
            ErrorsReturn = Export(handle, "ompi_mpi_errors_return");
            _library = handle;
        }
    }

    private static nint Export(nint handle, string name) =>
        NativeLibrary.TryGetExport(handle, name, out var address)
            ? address
            : throw new MpiException("dlsym", 0, $"{Lib} does not export {name}; Mlsh needs Open MPI 4.x (found a different MPI?)");

    /// <summary>Throws <see cref="MpiException"/> with MPI's own text when <paramref name="rc"/> is not MPI_SUCCESS.</summary>
    internal static void Check(int rc, string function)
    {
        if (rc != MPI_SUCCESS) throw new MpiException(function, rc, ErrorString(rc));
    }

    /// <summary>True between a successful MPI_Init_thread and MPI_Finalize.</summary>
    // DESIGN: Open MPI aborts the whole process when MPI_Error_string is called outside that window
    // (the standard disallows it), so a failing MPI_Init must be reported with the bare code instead.
    internal static volatile bool IsActive;

    internal static string ErrorString(int rc)
    {
        if (!IsActive) return $"MPI error code {rc} (no text: MPI is not initialised)";
        var buffer = stackalloc byte[MPI_MAX_ERROR_STRING + 1];
        int length = 0;
        if (MPI_Error_string(rc, buffer, &length) != MPI_SUCCESS || length <= 0) return $"MPI error code {rc}";
        return Marshal.PtrToStringUTF8((nint)buffer, Math.Min(length, MPI_MAX_ERROR_STRING));
    }

    [LibraryImport(Lib)]
    internal static partial int MPI_Init_thread(int* argc, byte*** argv, int required, int* provided);

    [LibraryImport(Lib)]
    internal static partial int MPI_Initialized(int* flag);

    [LibraryImport(Lib)]
    internal static partial int MPI_Finalized(int* flag);

    [LibraryImport(Lib)]
    internal static partial int MPI_Finalize();

    [LibraryImport(Lib)]
    internal static partial int MPI_Comm_rank(nint comm, int* rank);

    [LibraryImport(Lib)]
    internal static partial int MPI_Comm_size(nint comm, int* size);

    [LibraryImport(Lib)]
    internal static partial int MPI_Comm_set_errhandler(nint comm, nint errhandler);

    [LibraryImport(Lib)]
    internal static partial int MPI_Comm_split(nint comm, int color, int key, nint* newcomm);

    [LibraryImport(Lib)]
    internal static partial int MPI_Comm_free(nint* comm);

    [LibraryImport(Lib)]
    internal static partial int MPI_Barrier(nint comm);

    [LibraryImport(Lib)]
    internal static partial int MPI_Bcast(void* buffer, int count, nint datatype, int root, nint comm);

    [LibraryImport(Lib)]
    internal static partial int MPI_Gather(void* sendbuf, int sendcount, nint sendtype, void* recvbuf, int recvcount, nint recvtype, int root, nint comm);

    [LibraryImport(Lib)]
    internal static partial int MPI_Gatherv(void* sendbuf, int sendcount, nint sendtype, void* recvbuf, int* recvcounts, int* displs, nint recvtype, int root, nint comm);

    [LibraryImport(Lib)]
    internal static partial int MPI_Allreduce(void* sendbuf, void* recvbuf, int count, nint datatype, nint op, nint comm);

    [LibraryImport(Lib)]
    internal static partial int MPI_Error_string(int errorcode, byte* text, int* resultlen);
}

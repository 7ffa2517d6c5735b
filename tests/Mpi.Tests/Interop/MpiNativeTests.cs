using Mlsh.Mpi.Interop;

namespace Mlsh.Mpi.Tests.Interop;

public sealed class MpiNativeTests
{
    [Fact]
    public void Load_ResolvesPredefinedHandles_AsDistinctExportedGlobals()
    {
        MpiNative.Load();

        nint[] handles = [MpiNative.CommWorld, MpiNative.CommNull, MpiNative.TypeByte, MpiNative.TypeFloat, MpiNative.TypeDouble,
            MpiNative.TypeInt64, MpiNative.OpSum, MpiNative.OpMax, MpiNative.OpMin, MpiNative.ErrorsReturn];
        handles.Should().NotContain(0);
        handles.Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void ErrorString_BeforeInit_ReturnsTheCodeInsteadOfLettingOpenMpiAbortTheProcess()
    {
        MpiNative.Load();

        // Open MPI aborts the process if MPI_Error_string runs before MPI_Init; reaching the assertion proves it was not called.
        MpiNative.ErrorString(8).Should().Contain("MPI error code 8");
    }

    [Fact]
    public void Check_OnFailure_ThrowsMpiExceptionNamingTheFunctionAndCode()
    {
        var act = () => MpiNative.Check(8, "MPI_Bcast");

        act.Should().Throw<MpiException>()
            .Where(e => e.Function == "MPI_Bcast" && e.ErrorCode == 8 && e.Message.StartsWith("MPI_Bcast failed:"));
    }
}

using System.Text;
using Mlsh.Mpi.Interop;

namespace Mlsh.Mpi.Diagnostics;

/// <summary>What one rank observed in <see cref="MpiSelfCheck.Run"/>; the caller (a test) knows the expected values.</summary>
public sealed record MpiSelfCheckResult(
    int Rank,
    int Size,
    int ThreadLevel,
    float[] SumFloat,
    double[] AverageDouble,
    long[] SumLong,
    double[] MaxDouble,
    string BroadcastText,
    float[] BroadcastFloats,
    int SoloGroupRank,
    int SoloGroupSize,
    double SoloGroupSum,
    int ReversedGroupRank,
    int ReversedGroupSize,
    double ReversedGroupSum,
    string RootOutOfRangeError,
    string[] Gathered,
    string BroadcastBlobText);

/// <summary>
/// Exercises every collective of <see cref="MpiCommunicator"/> with values derived from the rank, so a test
/// running N ranks under mpirun can check each result against arithmetic it does itself.
/// </summary>
public static class MpiSelfCheck
{
    /// <summary>The text rank 0 broadcasts.</summary>
    public const string BroadcastMessage = "mlsh-bcast";

    /// <summary>The floats rank 0 broadcasts.</summary>
    public static ReadOnlySpan<float> BroadcastValues => [3.25f, -1.5f, 1e-3f];

    /// <summary>Runs the collectives on <paramref name="world"/>; every rank must call it.</summary>
    public static MpiSelfCheckResult Run(MpiCommunicator world)
    {
        var r = world.Rank;
        float[] sumFloat = [r + 1, 10f * (r + 1), 0.5f];
        world.AllreduceSum(sumFloat);
        double[] avgDouble = [r, 2.0 * r + 1, -r];
        world.AllreduceAverage(avgDouble);
        long[] sumLong = [(long)r << 33, 1];
        world.AllreduceSum(sumLong);
        double[] maxDouble = [r, -r];
        world.AllreduceMax(maxDouble);

        var text = new byte[BroadcastMessage.Length];
        var floats = new float[BroadcastValues.Length];
        if (world.IsRoot)
        {
            Encoding.ASCII.GetBytes(BroadcastMessage, text);
            BroadcastValues.CopyTo(floats);
        }
        world.Broadcast(text.AsSpan());
        world.Broadcast(floats.AsSpan());
        world.Barrier();

        // One group per rank (color = rank): every group has size 1 and sums only its own value.
        int soloRank, soloSize;
        double soloSum;
        using (var solo = world.Split(color: r, key: 0))
        {
            double[] v = [r + 1];
            solo.AllreduceSum(v);
            (soloRank, soloSize, soloSum) = (solo.Rank, solo.Size, v[0]);
        }

        // One group of everyone ordered by key = -rank: the ranks come out reversed.
        int revRank, revSize;
        double revSum;
        using (var reversed = world.Split(color: 0, key: -r))
        {
            double[] v = [r + 1];
            reversed.AllreduceSum(v);
            (revRank, revSize, revSum) = (reversed.Rank, reversed.Size, v[0]);
        }

        var rootError = ProvokeInvalidRoot(world);

        // Blocks of different lengths: rank r sends r + 1 copies of the letter 'a' + r; rank 0 receives them by rank.
        var blobs = world.GatherBlobs(Encoding.ASCII.GetBytes(new string((char)('a' + r), r + 1)));
        var gathered = blobs?.Select(b => Encoding.ASCII.GetString(b)).ToArray() ?? [];
        var blob = world.BroadcastBlob(world.IsRoot ? Encoding.ASCII.GetBytes(BroadcastMessage + "-blob") : []);

        return new MpiSelfCheckResult(r, world.Size, world.ThreadLevel, sumFloat, avgDouble, sumLong, maxDouble,
            Encoding.ASCII.GetString(text), floats, soloRank, soloSize, soloSum, revRank, revSize, revSum, rootError,
            gathered, Encoding.ASCII.GetString(blob));
    }

    // Bypasses the managed root check to prove an MPI-side failure comes back as MpiException with MPI's
    // own text (and that the world really runs with MPI_ERRORS_RETURN instead of aborting the job).
    private static unsafe string ProvokeInvalidRoot(MpiCommunicator world)
    {
        double x = 0;
        try
        {
            MpiNative.Check(MpiNative.MPI_Bcast(&x, 1, MpiNative.TypeDouble, world.Size + 5, world.Handle.DangerousGetHandle()), "MPI_Bcast");
            return "";
        }
        catch (MpiException e)
        {
            return e.Message;
        }
    }
}

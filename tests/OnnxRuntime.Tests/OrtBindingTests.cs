using Mlsh.Onnx.Graph;

namespace Mlsh.OnnxRuntime.Tests;

public class OrtBindingTests
{
    [Fact]
    public void Run_WritesOutputsInPlace_MatchingReferenceForward_ForABatch()
    {
        using var m = new TestModels();
        using var s = OrtSession.FromFile(m.File("sub_policy_2.onnx"));
        using var b = s.Bind(batchSize: 3);
        var reference = new PolicyForward(m.SubPolicies[2]);
        var rng = new Random(5);
        var input = b.Input();
        input.Length.Should().Be(3 * 40);
        for (var i = 0; i < input.Length; i++) input[i] = 4f * (rng.NextSingle() - 0.5f);

        b.Run();

        var expected = new float[8];
        for (var row = 0; row < 3; row++)
        {
            reference.Evaluate(input.Slice(row * 40, 40), expected);
            b.Output().Slice(row * 8, 8).ToArray().Should().BeEquivalentTo(expected, o => o.Using<float>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-5f)).WhenTypeIs<float>());
        }
    }

    [Fact]
    public void Run_AllocatesNoManagedMemory_AfterWarmUp()
    {
        using var m = new TestModels();
        using var s = OrtSession.FromFile(m.File("master.onnx"));
        using var b = s.Bind();
        var input = b.Input();
        for (var i = 0; i < 50; i++) b.Run();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 5_000; i++)
        {
            input[i % input.Length] = i * 1e-3f;
            b.Run();
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().Be(0);
    }

    [Fact]
    public void Run_Throws_AfterDispose()
    {
        using var m = new TestModels(observationSize: 10, joints: 2, subPolicyCount: 2, hidden: [4]);
        using var s = OrtSession.FromFile(m.File("master.onnx"));
        var b = s.Bind();
        b.Dispose();
        b.Invoking(x => x.Run()).Should().Throw<ObjectDisposedException>();
    }
}

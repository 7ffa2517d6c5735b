using Mlsh.Onnx.Export;
using Mlsh.Onnx.Graph;
using Mlsh.Onnx.Manifest;

// Handle-count leak tests read a process-wide counter: run this assembly's tests one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Mlsh.OnnxRuntime.Tests;

/// <summary>Real models from the real exporter, for the binding and loader tests.</summary>
internal sealed class TestModels : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("mlsh-ort-test-").FullName;
    public PolicyGraphSpec[] SubPolicies { get; }
    public PolicyGraphSpec Master { get; }
    public ExportContract Contract { get; }
    public PolicyManifest Manifest { get; }

    public TestModels(int observationSize = 40, int joints = 8, int subPolicyCount = 4, int[]? hidden = null, int seed = 1, float? firstSubPolicyOutputClip = null)
    {
        (SubPolicies, Master, Contract) = SyntheticBundle.Create(observationSize, hidden ?? [64, 64], joints, subPolicyCount, seed);
        if (firstSubPolicyOutputClip is { } clip) SubPolicies[0] = SubPolicies[0] with { OutputClip = clip };
        Manifest = HierarchyExporter.Export(SubPolicies, Master, Contract, Dir);
    }

    public string File(string name) => Path.Combine(Dir, name);
    public string ManifestPath => File(ManifestYaml.FileName);

    public void Dispose() { try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } }
}

using Mlsh.Core.Configuration;
using Mlsh.Onnx.Manifest;
using Mlsh.OnnxRuntime.Policies;
using Mlsh.Runtime.Configuration;
using Mlsh.Runtime.Control;
using Mlsh.Runtime.Policies;
using Mlsh.Runtime.Tests.TestSupport;
using Mlsh.Runtime.Timing;

namespace Mlsh.Runtime.Tests.Policies;

public sealed class MasterLoaderTests : IDisposable
{
    private readonly QuadrupedBundle _models = new(seed: 5);
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-runtime-swap-").FullName;

    public void Dispose()
    {
        _models.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Load_RejectsAHashMismatch_NamingBothHashes()
    {
        var path = _models.ExportAnotherMaster(Path.Combine(_dir, "other"), seed: 9);
        var manifest = ManifestYaml.Load(Path.Combine(_models.Dir, ManifestYaml.FileName));

        var act = () => MasterLoader.Load(path, new string('0', 64), manifest);

        act.Should().Throw<ConfigException>().WithMessage($"*SHA-256 mismatch: the command says {new string('0', 64)}, the file hashes to {ModelHash.Sha256Hex(File.ReadAllBytes(path))}*");
    }

    [Fact]
    public void Load_RejectsASubPolicyFileOfferedAsMaster()
    {
        var sub = Path.Combine(_models.Dir, "sub_policy_0.onnx");
        var manifest = ManifestYaml.Load(Path.Combine(_models.Dir, ManifestYaml.FileName));

        var act = () => MasterLoader.Load(sub, ModelHash.Sha256Hex(File.ReadAllBytes(sub)), manifest);

        act.Should().Throw<ConfigException>().WithMessage("*outputs: running master has [logits: Float [batch, 3]], new master has [joint_targets*");
    }

    [Fact]
    public void HotSwap_DuringTheRealControlLoop_SwapsWithoutInterruptingCycles_AndAFailedLoadKeepsTheOldMaster()
    {
        var p = TestParameters.Load(_dir, null, _models.Dir);
        using var bundle = PolicyBundle.Load(p.ModelsDir, DeploymentContract.ExpectationsFor(p));
        var hw = new ScriptedHardware(8);
        var ctl = new HierarchicalController(p, bundle, hw);
        using var loader = new MasterLoader(bundle.Manifest, ctl.Commands);
        var reports = new List<(bool, string)>();
        loader.Reports += (ok, m) => { lock (reports) reports.Add((ok, m)); };
        var original = ctl.Master;
        var path = _models.ExportAnotherMaster(Path.Combine(_dir, "retuned"), seed: 21);

        // 2 ms period: generous on a shared 2-core machine, the point is that loading happens off this thread.
        using var loop = new PeriodicControlThread<Cycle>(new Cycle(ctl), new ControlThreadOptions { Period = TimeSpan.FromMilliseconds(2) });
        loop.Start();
        Thread.Sleep(300);

        loader.Request(Path.Combine(_models.Dir, "master.onnx"), new string('a', 64));
        loader.Request(path, ModelHash.Sha256Hex(File.ReadAllBytes(path)));
        var until = DateTime.UtcNow.AddSeconds(20);
        while (ctl.Status.Read().MasterSwaps == 0 && DateTime.UtcNow < until) Thread.Sleep(10);
        Thread.Sleep(200);
        loop.Stop();

        loop.Fault.Should().BeNull();
        ctl.Status.Read().MasterSwaps.Should().Be(1);
        ctl.Master.Should().NotBeSameAs(original);
        ctl.Master.Source.Should().Be(Path.GetFullPath(path));
        lock (reports)
        {
            reports.Should().HaveCount(2);
            reports[0].Item1.Should().BeFalse();
            reports[0].Item2.Should().Contain("SHA-256 mismatch").And.Contain("the running master stays");
            reports[1].Item1.Should().BeTrue();
        }
        // Every tick of the loop ran a complete controller cycle (loading happens on the loader thread; deadline
        // misses are a timing matter, measured by `./mlsh bench runtime`, not asserted on a shared machine).
        ctl.Status.Read().Cycle.Should().Be(loop.CyclesRun);
        ctl.Status.Read().MasterTicks.Should().Be((loop.CyclesRun + QuadrupedBundle.MasterPeriod - 1) / QuadrupedBundle.MasterPeriod,
            "the swap happened at a master tick without skipping or repeating one");
        ctl.Status.Read().Mode.Should().Be(ControllerMode.Policy);
    }

    private sealed class Cycle(HierarchicalController controller) : IControlCycle
    {
        public void Run(in ControlTick tick) => controller.Update();
    }
}

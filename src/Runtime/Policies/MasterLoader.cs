using System.Collections.Concurrent;
using Mlsh.Core.Configuration;
using Mlsh.Onnx.Manifest;
using Mlsh.OnnxRuntime;
using Mlsh.Runtime.Control;

namespace Mlsh.Runtime.Policies;

/// <summary>
/// Loads replacement masters off the control thread: reads the file, checks its SHA-256 against the one the
/// operator gave, opens it in ONNX Runtime, checks input/output names and widths and the contract metadata against
/// the running bundle's manifest (provenance and bundle name may differ: a retuned master), then offers it to the
/// controller, which swaps it in at its next master tick. A failed load leaves the running master in place and is
/// reported through <see cref="Reports"/>. Owns a worker thread; dispose to stop it (disposes swapped-out masters).
/// </summary>
public sealed class MasterLoader : IDisposable
{
    private readonly PolicyManifest _manifest;
    private readonly OperatorCommands _commands;
    private readonly BlockingCollection<(string Path, string Sha256)> _requests = new();
    private readonly Thread _worker;
    private readonly List<MasterModel> _owned = [];

    public MasterLoader(PolicyManifest manifest, OperatorCommands commands)
    {
        _manifest = manifest;
        _commands = commands;
        _worker = new Thread(Work) { IsBackground = true, Name = "mlsh-master-loader" };
        _worker.Start();
    }

    /// <summary>Raised on the loader thread: (true, "loaded ...") or (false, why the load failed).</summary>
    public event Action<bool, string>? Reports;

    /// <summary>Queues a load; returns at once.</summary>
    public void Request(string path, string sha256) => _requests.Add((path, sha256));

    /// <summary>Loads and validates a master synchronously (what the worker does), without offering it.</summary>
    /// <exception cref="ConfigException">File missing, hash mismatch, not loadable, or contract mismatch (one line).</exception>
    public static MasterModel Load(string path, string sha256, PolicyManifest manifest)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) throw new ConfigException("master file not found", full);
        var bytes = File.ReadAllBytes(full);
        var actual = ModelHash.Sha256Hex(bytes);
        if (!string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
            throw new ConfigException($"SHA-256 mismatch: the command says {sha256}, the file hashes to {actual}", full);
        OrtSession session;
        try
        {
            session = OrtSession.FromBytes(bytes, null, full);
        }
        catch (OrtException e)
        {
            throw new ConfigException($"not a loadable ONNX model: {e.OrtMessage}", full, e);
        }
        try
        {
            var entry = manifest.Models.Master;
            Check("input", session.Inputs, entry.Input, entry.InputSize, full);
            Check("output", session.Outputs, entry.Output, entry.OutputSize, full);
            var expected = PolicyMetadata.For(manifest, PolicyMetadata.MasterPolicy);
            var got = session.Metadata.Custom;
            foreach (var (key, value) in expected)
            {
                if (key is PolicyMetadata.Provenance or PolicyMetadata.Bundle) continue;
                if (!got.TryGetValue(key, out var v) || v != value)
                    throw new ConfigException($"metadata_props '{key}': running bundle has '{value}', new master has '{v ?? "(missing)"}'", full);
            }
            var master = new SessionMaster(session, full, actual, entry.OutputSize);
            // ONNX Runtime's first Run allocates and plans (milliseconds): do it here so the control thread's first
            // tick with the new master costs what every later one does.
            master.Logits(new float[entry.InputSize], new float[entry.OutputSize]);
            return master;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static void Check(string what, IReadOnlyList<OrtTensorInfo> actual, string name, int width, string file)
    {
        var one = actual.Count == 1 ? actual[0] : null;
        var ok = one is not null && one.Name == name && one.ElementType == OrtElementType.Float && one.Shape.Length == 2 && one.Shape[1] == width;
        if (!ok) throw new ConfigException($"{what}s: running master has [{name}: Float [batch, {width}]], new master has [{string.Join("; ", actual)}]", file);
    }

    private void Work()
    {
        foreach (var (path, sha) in _requests.GetConsumingEnumerable())
        {
            // Collect the previous swap's retiree first, so the controller's single retire slot is free.
            while (_commands.MasterPending) Thread.Sleep(1);
            if (_commands.TakeRetiredMaster() is { } old) old.Dispose();
            MasterModel next;
            try
            {
                next = Load(path, sha, _manifest);
            }
            catch (Exception e) when (e is ConfigException or IOException or UnauthorizedAccessException)
            {
                Reports?.Invoke(false, $"load_master failed, the running master stays: {e.Message}");
                continue;
            }
            lock (_owned) _owned.Add(next);
            _commands.OfferMaster(next)?.Dispose();
            Reports?.Invoke(true, $"master {next.Source} (sha256 {next.Sha256}) validated; swapping in at the next master tick");
        }
    }

    public void Dispose()
    {
        _requests.CompleteAdding();
        _worker.Join();
        _commands.TakeRetiredMaster()?.Dispose();
        // Masters still referenced by the controller are disposed here too: the node stops the loop first.
        lock (_owned) foreach (var m in _owned) m.Dispose();
        _requests.Dispose();
    }
}

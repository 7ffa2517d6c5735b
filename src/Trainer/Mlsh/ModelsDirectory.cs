using Mlsh.Core.Configuration;
using Mlsh.Core.IO;
using Mlsh.NeuralNets.Policies;
using Mlsh.NeuralNets.Serialization;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Mlsh.Trainer.Mlsh;

/// <summary>The description file of a models directory (<c>models.yaml</c>).</summary>
public sealed class ModelsDescription
{
    public const int CurrentFormatVersion = 1;
    public int FormatVersion { get; set; } = CurrentFormatVersion;
    /// <summary>mlsh or flat.</summary>
    public string Algorithm { get; set; } = "mlsh";
    /// <summary>The task family kind the networks were trained on (e.g. quadruped_maze).</summary>
    public string TaskFamily { get; set; } = "";
    public int ObservationSize { get; set; }
    /// <summary>discrete or continuous.</summary>
    public string ActionKind { get; set; } = "";
    public int ActionSize { get; set; }
    /// <summary>Low-level steps per master decision.</summary>
    public int MacroSteps { get; set; }
    /// <summary>Policy files of the sub-policies (the flat policy: one entry), relative to the directory.</summary>
    public List<string> Subpolicies { get; set; } = [];
    /// <summary>The master's policy file, or empty when the directory holds sub-policies only (retune first).</summary>
    public string Master { get; set; } = "";
    /// <summary>The layout the master was learned for (retune output), informational.</summary>
    public string Layout { get; set; } = "";
}

/// <summary>
/// A models directory: <c>models.yaml</c> plus one policy file per network (<see cref="PolicyFile"/>
/// format). Written by train (sub-policies, and the last master) and retune (sub-policies + the new
/// master); read by eval, retune and the ONNX exporter. Files are written atomically; stateless.
/// </summary>
public static class ModelsDirectory
{
    public const string FileName = "models.yaml";

    public static void Write(string directory, ModelsDescription description, IReadOnlyList<ActorCritic> subpolicies, ActorCritic? master)
    {
        Directory.CreateDirectory(directory);
        description.Subpolicies = [];
        for (var k = 0; k < subpolicies.Count; k++)
        {
            var name = description.Algorithm == "flat" ? "policy.bin" : $"subpolicy-{k}.bin";
            PolicyFile.Save(subpolicies[k], Path.Combine(directory, name));
            description.Subpolicies.Add(name);
        }
        description.Master = "";
        if (master is not null)
        {
            PolicyFile.Save(master, Path.Combine(directory, "master.bin"));
            description.Master = "master.bin";
        }
        var yaml = new SerializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build().Serialize(description);
        AtomicFile.WriteAllText(Path.Combine(directory, FileName), "# Mlsh models directory: networks in PolicyFile format (see src/NeuralNets/Serialization).\n" + yaml);
    }

    /// <summary>Loads and checks a models directory (or a run directory, whose models/ is used).</summary>
    /// <exception cref="ConfigException">missing or inconsistent description.</exception>
    /// <exception cref="PolicyFileException">a network file is missing, truncated or corrupted.</exception>
    public static (ModelsDescription Description, ActorCritic[] Subpolicies, CategoricalActorCritic? Master) Load(string directory)
    {
        if (!File.Exists(Path.Combine(directory, FileName)) && File.Exists(Path.Combine(directory, "models", FileName)))
            directory = Path.Combine(directory, "models");
        var file = Path.Combine(directory, FileName);
        var d = StrictYaml.LoadFile<ModelsDescription>(file);
        if (d.FormatVersion != ModelsDescription.CurrentFormatVersion)
            throw new ConfigException($"key 'format_version': got {d.FormatVersion}; expected {ModelsDescription.CurrentFormatVersion}", file);
        if (d.Algorithm is not ("mlsh" or "flat"))
            throw new ConfigException($"key 'algorithm': got '{d.Algorithm}'; expected one of: mlsh, flat", file);
        if (d.Subpolicies.Count == 0)
            throw new ConfigException("key 'subpolicies': got []; expected at least one policy file", file);
        var subs = d.Subpolicies.Select(s => PolicyFile.Load(Path.Combine(directory, s))).ToArray();
        foreach (var s in subs)
            if (s.ObservationSize != d.ObservationSize || s.ActionSize != d.ActionSize)
                throw new ConfigException($"sub-policy shapes {s.ObservationSize}→{s.ActionSize} do not match observation_size {d.ObservationSize} / action_size {d.ActionSize}", file);
        CategoricalActorCritic? master = null;
        if (!string.IsNullOrEmpty(d.Master))
        {
            master = PolicyFile.Load<CategoricalActorCritic>(Path.Combine(directory, d.Master));
            if (master.ActionSize != subs.Length || master.ObservationSize != d.ObservationSize)
                throw new ConfigException($"master chooses among {master.ActionSize} sub-policies from {master.ObservationSize} observations; the directory has {subs.Length} sub-policies and observation_size {d.ObservationSize}", file);
        }
        return (d, subs, master);
    }
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Mlsh.Core.IO;
using Mlsh.NeuralNets.Policies;

namespace Mlsh.NeuralNets.Serialization;

/// <summary>
/// Versioned binary format of an actor-critic: shapes, observation-normalizer statistics and the flat
/// parameter vector, little-endian, sealed with a SHA-256 of everything before it.
/// </summary>
/// <remarks>
/// Layout (version 1):
/// <code>
/// "MLSHPOL\0"  u32 version  u64 payloadLength  payload[payloadLength]  sha256(preceding bytes)[32]
/// payload: u32 kind, u32 observationSize, u32 actionSize, u32 hiddenCount, u32 hidden[hiddenCount],
///          u32 hiddenActivation, f32 observationClip, u8 normalizerFrozen, f64 count,
///          f64 mean[observationSize], f64 m2[observationSize], u32 parameterCount, f32 parameters[parameterCount]
/// </code>
/// Files are written with <see cref="AtomicFile"/>, so a crash never leaves a torn file under the final
/// name. Reading checks, in order: header length, magic, version, total length (truncation/trailing bytes),
/// checksum, then every field against the shapes; each failure is a <see cref="PolicyFileException"/>.
/// Stateless and thread-safe.
/// </remarks>
public static class PolicyFile
{
    public const int CurrentVersion = 1;
    private static readonly byte[] Magic = "MLSHPOL\0"u8.ToArray();
    private const int HeaderLength = 8 + 4 + 8;
    private const int ChecksumLength = 32;

    public static void Save(ActorCritic policy, string path)
    {
        ArgumentNullException.ThrowIfNull(policy);
        AtomicFile.WriteAllBytes(path, ToBytes(policy));
    }

    /// <summary>Loads a policy of either kind.</summary>
    /// <exception cref="PolicyFileException">missing, truncated, corrupted or incompatible file.</exception>
    public static ActorCritic Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PolicyFileException(path, $"cannot be read: {e.Message}");
        }
        return FromBytes(bytes, path);
    }

    /// <summary>Loads a policy and checks its kind (e.g. a sub-policy must be Gaussian).</summary>
    public static T Load<T>(string path) where T : ActorCritic
    {
        var policy = Load(path);
        return policy as T ?? throw new PolicyFileException(path, $"holds a {policy.Kind} policy, expected {typeof(T).Name}");
    }

    /// <summary>Serializes into a byte array (for embedding in checkpoints).</summary>
    public static byte[] ToBytes(ActorCritic policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        using var payload = new MemoryStream();
        using (var w = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            var o = policy.Options;
            w.Write((uint)policy.Kind);
            w.Write((uint)o.ObservationSize);
            w.Write((uint)o.ActionSize);
            w.Write((uint)o.HiddenSizes.Count);
            foreach (var h in o.HiddenSizes) w.Write((uint)h);
            w.Write((uint)o.HiddenActivation);
            w.Write(policy.Normalizer.Clip);
            w.Write(policy.Normalizer.Frozen ? (byte)1 : (byte)0);
            w.Write(policy.Normalizer.Count);
            foreach (var m in policy.Normalizer.RunningMean) w.Write(m);
            foreach (var m in policy.Normalizer.RunningM2) w.Write(m);
            w.Write((uint)policy.Parameters.Length);
            foreach (var p in policy.Parameters) w.Write(p);
        }
        var body = payload.GetBuffer().AsSpan(0, (int)payload.Length);
        var result = new byte[HeaderLength + body.Length + ChecksumLength];
        Magic.CopyTo(result, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(8), CurrentVersion);
        BinaryPrimitives.WriteUInt64LittleEndian(result.AsSpan(12), (ulong)body.Length);
        body.CopyTo(result.AsSpan(HeaderLength));
        SHA256.HashData(result.AsSpan(0, HeaderLength + body.Length), result.AsSpan(HeaderLength + body.Length));
        return result;
    }

    /// <summary>Parses bytes produced by <see cref="ToBytes"/>; <paramref name="source"/> names them in errors.</summary>
    public static ActorCritic FromBytes(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < HeaderLength)
            throw new PolicyFileException(source, $"truncated: {bytes.Length} bytes is shorter than the {HeaderLength}-byte header");
        if (!bytes[..8].SequenceEqual(Magic))
            throw new PolicyFileException(source, "not a Mlsh policy file (bad magic; expected \"MLSHPOL\")");
        var version = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
        if (version != CurrentVersion)
            throw new PolicyFileException(source, $"format version {version} is not supported (this build reads version {CurrentVersion})");
        var payloadLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes[12..]);
        var expected = (ulong)HeaderLength + payloadLength + ChecksumLength;
        if ((ulong)bytes.Length < expected)
            throw new PolicyFileException(source, $"truncated: expected {expected} bytes, found {bytes.Length}");
        if ((ulong)bytes.Length > expected)
            throw new PolicyFileException(source, $"{(ulong)bytes.Length - expected} unexpected trailing bytes after the checksum (expected {expected} bytes in total)");
        var covered = bytes[..(HeaderLength + (int)payloadLength)];
        Span<byte> hash = stackalloc byte[ChecksumLength];
        SHA256.HashData(covered, hash);
        if (!hash.SequenceEqual(bytes[(HeaderLength + (int)payloadLength)..]))
            throw new PolicyFileException(source, "checksum mismatch: the file is corrupted");

        var r = new Reader(bytes.Slice(HeaderLength, (int)payloadLength), source);
        var kind = (PolicyKind)r.U32("kind");
        if (kind is not (PolicyKind.Gaussian or PolicyKind.Categorical))
            throw new PolicyFileException(source, $"unknown policy kind {(uint)kind} (expected 1 = Gaussian or 2 = Categorical)");
        var observationSize = r.Size("observationSize");
        var actionSize = r.Size("actionSize");
        var hiddenCount = (int)r.U32("hiddenCount");
        if (hiddenCount > 64) throw new PolicyFileException(source, $"hiddenCount {hiddenCount} is implausible (at most 64 layers)");
        var hidden = new int[hiddenCount];
        for (var i = 0; i < hiddenCount; i++) hidden[i] = r.Size($"hidden[{i}]");
        var activation = (Activation)r.U32("hiddenActivation");
        if (activation is not (Activation.Identity or Activation.Tanh))
            throw new PolicyFileException(source, $"unknown hidden activation {(uint)activation}");
        var clip = r.F32("observationClip");
        if (!(clip > 0)) throw new PolicyFileException(source, $"observationClip must be > 0, found {clip}");
        var frozen = r.U8("normalizerFrozen") != 0;
        var count = r.F64("normalizer count");
        var mean = new double[observationSize];
        var m2 = new double[observationSize];
        for (var i = 0; i < observationSize; i++) mean[i] = r.F64("normalizer mean");
        for (var i = 0; i < observationSize; i++) m2[i] = r.F64("normalizer M2");
        var parameterCount = (int)r.U32("parameterCount");

        var options = new ActorCriticOptions
        {
            ObservationSize = observationSize, ActionSize = actionSize, HiddenSizes = hidden,
            HiddenActivation = activation, ObservationClip = clip,
        };
        ActorCritic policy = kind == PolicyKind.Gaussian ? new GaussianActorCritic(options) : new CategoricalActorCritic(options);
        if (parameterCount != policy.Parameters.Length)
            throw new PolicyFileException(source, $"parameterCount {parameterCount} does not match the shapes (expected {policy.Parameters.Length})");
        var parameters = policy.Parameters;
        for (var i = 0; i < parameterCount; i++) parameters[i] = r.F32("parameters");
        if (!r.AtEnd) throw new PolicyFileException(source, $"payload has {r.Remaining} unread bytes after the parameters");
        if (!(count >= 0)) throw new PolicyFileException(source, $"normalizer count must be ≥ 0, found {count}");
        policy.Normalizer.SetStatistics(count, mean, m2);
        policy.Normalizer.Frozen = frozen;
        return policy;
    }

    private ref struct Reader(ReadOnlySpan<byte> data, string source)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public readonly bool AtEnd => _position == _data.Length;
        public readonly int Remaining => _data.Length - _position;

        private ReadOnlySpan<byte> Take(int n, string field)
        {
            if (_position + n > _data.Length)
                throw new PolicyFileException(source, $"payload ends inside field '{field}' at byte {_position} (needs {n} more bytes, {Remaining} left)");
            var s = _data.Slice(_position, n);
            _position += n;
            return s;
        }

        public uint U32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));
        public byte U8(string field) => Take(1, field)[0];
        public float F32(string field) => BinaryPrimitives.ReadSingleLittleEndian(Take(4, field));
        public double F64(string field) => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, field));

        public int Size(string field)
        {
            var v = U32(field);
            if (v is < 1 or > 1_000_000) throw new PolicyFileException(source, $"{field} = {v} is out of range (expected 1…1000000)");
            return (int)v;
        }
    }
}

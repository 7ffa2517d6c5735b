using System.Security.Cryptography;

namespace Mlsh.Onnx.Manifest;

/// <summary>The file hash manifest.yaml stores: lower-case hex SHA-256 of the bytes.</summary>
public static class ModelHash
{
    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}

namespace Mlsh.Ros2.Cdr;

/// <summary>A message cannot be serialized as declared, or received bytes are not valid CDR for its type.</summary>
public sealed class CdrException(string message) : Exception(message);

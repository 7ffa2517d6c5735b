namespace Mlsh.NeuralNets.Serialization;

/// <summary>A policy file is missing, truncated, corrupted or of another format/version.
/// The message names the file and states what was expected and what was found.</summary>
public sealed class PolicyFileException : Exception
{
    public PolicyFileException(string source, string problem)
        : base($"policy file '{source}': {problem}")
    {
        Source = source;
        Problem = problem;
    }

    /// <summary>The file path (or stream name) being read.</summary>
    public new string Source { get; }
    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; }
}

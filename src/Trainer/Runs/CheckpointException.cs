namespace Mlsh.Trainer.Runs;

/// <summary>A checkpoint or model file cannot be used (truncated, corrupted, from another version or
/// another config). The message names the file and what is wrong.</summary>
public sealed class CheckpointException : Exception
{
    public string File { get; }
    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; }

    public CheckpointException(string file, string problem, Exception? inner = null)
        : base($"{file}: {problem}", inner) => (File, Problem) = (file, problem);
}

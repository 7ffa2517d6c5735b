namespace Mlsh.Environments.Tasks;

/// <summary>Why an instance's episode ended on the last step (None: it goes on).</summary>
public enum EpisodeEnd : byte
{
    None = 0,
    /// <summary>Reached the goal: terminated, succeeded.</summary>
    Success,
    /// <summary>Torso too low or too tilted: terminated.</summary>
    Fall,
    /// <summary>Time limit: truncated (bootstrap from the final observation).</summary>
    TimeLimit,
    /// <summary>The physics diverged and the instance was reset: truncated, final observation = last good one.</summary>
    Divergence,
}

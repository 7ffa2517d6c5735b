using Mlsh.Core.Configuration;

namespace Mlsh.Environments.Tasks;

/// <summary>
/// Reward and episode settings of a maze task family. Defaults: reward = progress along the maze's
/// shortest path (metres gained per step × <see cref="ProgressReward"/>) plus <see cref="SuccessBonus"/>
/// on reaching the goal. Immutable; loadable from YAML with snake_case keys (unknown key → error).
/// </summary>
public sealed class MazeTaskOptions
{
    /// <summary>Reward per metre of geodesic progress toward the goal (negative when moving away).</summary>
    public double ProgressReward { get; init; } = 1.0;
    /// <summary>Added on the step that reaches the goal.</summary>
    public double SuccessBonus { get; init; } = 10.0;
    /// <summary>Subtracted on the step the robot falls (torso too low or tilted).</summary>
    public double FallPenalty { get; init; }
    /// <summary>Added every step (e.g. −0.01 to favour speed); 0 by default.</summary>
    public double StepReward { get; init; }
    /// <summary>Overrides every layout's time_limit (seconds) when set.</summary>
    public double? TimeLimit { get; init; }
    /// <summary>Multiplies the robot config's reset noise (0 = always start in the nominal pose).</summary>
    public double ResetNoiseScale { get; init; } = 1.0;
    /// <summary>Sub-cells per cell of the geodesic distance field behind the progress reward.</summary>
    public int DistanceFieldResolution { get; init; } = Mazes.GeodesicDistanceField.DefaultResolution;
    /// <summary>Degrees: each episode starts with a heading drawn uniformly within ± this of the layout's start
    /// heading (east), on top of the robot's reset noise; 180 = any heading. 0 (the default) draws nothing.</summary>
    // DESIGN: every layout starts facing east, so a skill never needs to turn on the spot; a spread of start
    // headings makes it pay on every layout. Drawn only when non-zero, so that existing runs keep their episodes.
    public double StartHeadingSpread { get; init; }

    public static MazeTaskOptions Default { get; } = new();

    public static MazeTaskOptions Load(string path) => Validate(StrictYaml.LoadFile<MazeTaskOptionsFile>(path).ToOptions(), path);

    public static MazeTaskOptions Parse(string yaml, string source = "<task options>") =>
        Validate(StrictYaml.Parse<MazeTaskOptionsFile>(yaml, source).ToOptions(), source);

    /// <exception cref="ConfigException">A value is not finite or out of range; names the key.</exception>
    public static MazeTaskOptions Validate(MazeTaskOptions o, string source = "<task options>")
    {
        void Finite(double v, string key)
        {
            if (!double.IsFinite(v)) throw new ConfigException($"'{key}' must be a finite number, got {v}", source);
        }
        Finite(o.ProgressReward, "progress_reward");
        Finite(o.SuccessBonus, "success_bonus");
        Finite(o.FallPenalty, "fall_penalty");
        Finite(o.StepReward, "step_reward");
        if (o.TimeLimit is { } t && !(double.IsFinite(t) && t > 0)) throw new ConfigException($"'time_limit' must be a positive number of seconds, got {t}", source);
        if (!(o.ResetNoiseScale >= 0 && double.IsFinite(o.ResetNoiseScale))) throw new ConfigException($"'reset_noise_scale' must be >= 0, got {o.ResetNoiseScale}", source);
        if (!(o.StartHeadingSpread is >= 0 and <= 180)) throw new ConfigException($"'start_heading_spread' must be in [0, 180] degrees, got {o.StartHeadingSpread}", source);
        if (o.DistanceFieldResolution is < 1 or > 64) throw new ConfigException($"'distance_field_resolution' must be in [1, 64], got {o.DistanceFieldResolution}", source);
        return o;
    }
}

internal sealed class MazeTaskOptionsFile
{
    public double? ProgressReward { get; set; }
    public double? SuccessBonus { get; set; }
    public double? FallPenalty { get; set; }
    public double? StepReward { get; set; }
    public double? TimeLimit { get; set; }
    public double? ResetNoiseScale { get; set; }
    public int? DistanceFieldResolution { get; set; }
    public double? StartHeadingSpread { get; set; }

    public MazeTaskOptions ToOptions()
    {
        var d = MazeTaskOptions.Default;
        return new MazeTaskOptions
        {
            ProgressReward = ProgressReward ?? d.ProgressReward,
            SuccessBonus = SuccessBonus ?? d.SuccessBonus,
            FallPenalty = FallPenalty ?? d.FallPenalty,
            StepReward = StepReward ?? d.StepReward,
            TimeLimit = TimeLimit,
            ResetNoiseScale = ResetNoiseScale ?? d.ResetNoiseScale,
            DistanceFieldResolution = DistanceFieldResolution ?? d.DistanceFieldResolution,
            StartHeadingSpread = StartHeadingSpread ?? d.StartHeadingSpread,
        };
    }
}

using System.Text;
using System.Text.Json;

namespace Mlsh.Trainer.Runs;

/// <summary>
/// What one training iteration measured; one line of metrics.jsonl. NaN (nothing measured, e.g. no
/// episode finished) is written as JSON null and read back as NaN. Plain data, not thread-safe.
/// </summary>
public sealed class IterationMetrics
{
    public int Iteration { get; set; }
    /// <summary>Index of the task round (one sampled task: warm-up then joint period).</summary>
    public int Round { get; set; }
    public int Task { get; set; }
    /// <summary>"warmup" (master only), "joint" (master and sub-policies) or "flat".</summary>
    public string Phase { get; set; } = "";
    /// <summary>Environment steps taken so far by all ranks, including this iteration.</summary>
    public long EnvSteps { get; set; }
    public int Episodes { get; set; }
    public double MeanReturn { get; set; } = double.NaN;
    public double SuccessRate { get; set; } = double.NaN;
    /// <summary>Success rate of the first episode each environment instance finished in the iteration.</summary>
    /// <remarks>
    /// <see cref="SuccessRate"/> counts every episode that ended within the iteration's window, and where a success
    /// ends an episode early (mazes) an instance can fit a second success in the window but never a second failure,
    /// so that rate leans towards success. The first episode of each instance is one draw per instance whatever its
    /// length: use this rate to compare success across methods (the quadruped evidence does).
    /// </remarks>
    public double FirstEpisodeSuccessRate { get; set; } = double.NaN;
    public double MeanEpisodeSteps { get; set; } = double.NaN;
    /// <summary>[K]: fraction of macro steps that ran each sub-policy.</summary>
    public double[] SkillUsage { get; set; } = [];
    public double SkillSpread { get; set; } = double.NaN;
    public double SkillCosine { get; set; } = double.NaN;
    public double MasterPolicyLoss { get; set; } = double.NaN;
    public double MasterEntropy { get; set; } = double.NaN;
    public double SubpolicyPolicyLoss { get; set; } = double.NaN;
    public double SubpolicyValueLoss { get; set; } = double.NaN;
    public double SubpolicyEntropy { get; set; } = double.NaN;
    public double SubpolicyApproxKl { get; set; } = double.NaN;
    /// <summary>Collapse guard (hierarchy.collapse_guard), at the end of a round: the smallest mean Hellinger
    /// distance between two sub-policies' action distributions on the rollout's states; NaN otherwise.</summary>
    public double SubpolicyDistance { get; set; } = double.NaN;
    /// <summary>Collapse guard: sub-policies re-initialised so far (0 without the guard).</summary>
    public int CollapseResets { get; set; }
    /// <summary>Collapse guard: the sub-policy re-initialised at the end of this iteration, or -1.</summary>
    public int ResetSubpolicy { get; set; } = -1;
    public double Seconds { get; set; }

    public string ToJsonLine()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteNumber("iteration", Iteration);
            w.WriteNumber("round", Round);
            w.WriteNumber("task", Task);
            w.WriteString("phase", Phase);
            w.WriteNumber("env_steps", EnvSteps);
            w.WriteNumber("episodes", Episodes);
            Num(w, "mean_return", MeanReturn);
            Num(w, "success_rate", SuccessRate);
            Num(w, "first_episode_success_rate", FirstEpisodeSuccessRate);
            Num(w, "mean_episode_steps", MeanEpisodeSteps);
            w.WriteStartArray("skill_usage");
            foreach (var u in SkillUsage) { if (double.IsFinite(u)) w.WriteNumberValue(Math.Round(u, 6)); else w.WriteNullValue(); }
            w.WriteEndArray();
            Num(w, "skill_spread", SkillSpread);
            Num(w, "skill_cosine", SkillCosine);
            Num(w, "master_policy_loss", MasterPolicyLoss);
            Num(w, "master_entropy", MasterEntropy);
            Num(w, "subpolicy_policy_loss", SubpolicyPolicyLoss);
            Num(w, "subpolicy_value_loss", SubpolicyValueLoss);
            Num(w, "subpolicy_entropy", SubpolicyEntropy);
            Num(w, "subpolicy_approx_kl", SubpolicyApproxKl);
            Num(w, "subpolicy_distance", SubpolicyDistance);
            w.WriteNumber("collapse_resets", CollapseResets);
            if (ResetSubpolicy >= 0) w.WriteNumber("reset_subpolicy", ResetSubpolicy);
            Num(w, "seconds", Seconds);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.GetBuffer(), 0, (int)ms.Length);
    }

    public static IterationMetrics FromJsonLine(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var r = doc.RootElement;
        double D(string k) => r.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
        return new IterationMetrics
        {
            Iteration = r.GetProperty("iteration").GetInt32(),
            Round = r.GetProperty("round").GetInt32(),
            Task = r.GetProperty("task").GetInt32(),
            Phase = r.GetProperty("phase").GetString() ?? "",
            EnvSteps = r.GetProperty("env_steps").GetInt64(),
            Episodes = r.GetProperty("episodes").GetInt32(),
            MeanReturn = D("mean_return"),
            SuccessRate = D("success_rate"),
            FirstEpisodeSuccessRate = D("first_episode_success_rate"),
            MeanEpisodeSteps = D("mean_episode_steps"),
            SkillUsage = r.TryGetProperty("skill_usage", out var u)
                ? u.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number ? e.GetDouble() : double.NaN).ToArray()
                : [],
            SkillSpread = D("skill_spread"),
            SkillCosine = D("skill_cosine"),
            MasterPolicyLoss = D("master_policy_loss"),
            MasterEntropy = D("master_entropy"),
            SubpolicyPolicyLoss = D("subpolicy_policy_loss"),
            SubpolicyValueLoss = D("subpolicy_value_loss"),
            SubpolicyEntropy = D("subpolicy_entropy"),
            SubpolicyApproxKl = D("subpolicy_approx_kl"),
            SubpolicyDistance = D("subpolicy_distance"),
            CollapseResets = r.TryGetProperty("collapse_resets", out var cr) ? cr.GetInt32() : 0,
            ResetSubpolicy = r.TryGetProperty("reset_subpolicy", out var rs) ? rs.GetInt32() : -1,
            Seconds = D("seconds"),
        };
    }

    private static void Num(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, Math.Round(v, 6));
        else w.WriteNull(name);
    }
}

namespace Mlsh.Hil.Trajectories;

/// <summary>One recorded base position: robot time (s), world x/y (m, the maze frame), the active skill (-1 = none).</summary>
public readonly record struct TrajectorySample(double TimeS, double X, double Y, int Skill);

/// <summary>A master decision: when, where the robot was, which skill it chose.</summary>
public readonly record struct MasterTick(double TimeS, double X, double Y, int Skill);

/// <summary>
/// The path of one run, as the observer recorded it. Not thread-safe: one writer (the observer's thread); read it
/// after the run. Capacity grows geometrically, so recording is amortised allocation-free.
/// </summary>
public sealed class Trajectory
{
    private readonly List<TrajectorySample> _samples;
    private readonly List<MasterTick> _ticks = new(256);

    public Trajectory(int expectedSamples = 4096) => _samples = new List<TrajectorySample>(expectedSamples);

    public IReadOnlyList<TrajectorySample> Samples => _samples;
    public IReadOnlyList<MasterTick> MasterTicks => _ticks;

    /// <summary>Set when the run ended without reaching the goal (drawn as a cross at its last sample).</summary>
    public bool Failed { get; set; }

    public void Add(double timeS, double x, double y, int skill) => _samples.Add(new TrajectorySample(timeS, x, y, skill));

    public void AddMasterTick(double timeS, double x, double y, int skill) => _ticks.Add(new MasterTick(timeS, x, y, skill));

    /// <summary>Consecutive samples with the same skill: (first index, last index inclusive, skill). A run shares its
    /// first sample with the previous run's last so the drawn path has no gaps.</summary>
    public IReadOnlyList<(int First, int Last, int Skill)> SkillRuns()
    {
        var runs = new List<(int, int, int)>();
        var first = 0;
        for (var i = 1; i <= _samples.Count; i++)
        {
            if (i < _samples.Count && _samples[i].Skill == _samples[first].Skill) continue;
            runs.Add((first == 0 ? 0 : first - 1, i - 1, _samples[first].Skill));
            first = i;
        }
        return runs;
    }

    /// <summary>The skills in the order the robot used them, consecutive repeats merged (e.g. 2 → 0 → 2).</summary>
    public IReadOnlyList<int> SkillSequence() => SkillRuns().Select(r => r.Skill).ToArray();
}

using Mlsh.NeuralNets.Policies;
using Mlsh.Trainer.Configuration;
using Mlsh.Trainer.Mlsh;
using Mlsh.Trainer.Runs;

namespace Mlsh.Trainer.Tests.Mlsh;

/// <summary>The collapse guard's decision rule, its distance measure, and its wiring into the trainer.</summary>
public sealed class CollapseGuardTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-guard-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static CollapseGuard Guard(float minDistance = 0.3f, float minUsage = 0f, int patience = 3, int grace = 2, int k = 2) =>
        new(new CollapseGuardConfig { MinDistance = minDistance, MinUsage = minUsage, PatienceRounds = patience, GraceRounds = grace }, k);

    [Fact]
    public void EndRound_DuplicatesForPatienceRounds_ReinitialisesTheLessUsedOfThePair()
    {
        var g = Guard();
        g.EndRound(2, 0.1, 0, 1, [0.7, 0.3]).Should().Be(-1);
        g.EndRound(3, 0.1, 0, 1, [0.7, 0.3]).Should().Be(-1);
        g.EndRound(4, 0.1, 0, 1, [0.7, 0.3]).Should().Be(1);
        g.Resets.Should().Be(1);
        g.DuplicateStreak.Should().Be(0, "the streak starts over after a reset");
        g.LastResetRound.Should().Be(4);
        // Grace for the fresh sub-policy: rounds 5 and 6 are not judged, 7-9 are.
        g.EndRound(5, 0.1, 0, 1, [0.2, 0.8]).Should().Be(-1);
        g.EndRound(6, 0.1, 0, 1, [0.2, 0.8]).Should().Be(-1);
        g.DuplicateStreak.Should().Be(0);
        g.EndRound(7, 0.1, 0, 1, [0.2, 0.8]).Should().Be(-1);
        g.EndRound(8, 0.1, 0, 1, [0.2, 0.8]).Should().Be(-1);
        g.EndRound(9, 0.1, 0, 1, [0.2, 0.8]).Should().Be(0);
        g.Resets.Should().Be(2);
    }

    [Fact]
    public void EndRound_DuplicatesWithEqualUsage_ReinitialiseTheHigherIndex()
    {
        var g = Guard(patience: 1, grace: 0, k: 3);
        g.EndRound(0, 0.05, 0, 2, [0.4, 0.2, 0.4]).Should().Be(2);
    }

    [Fact]
    public void EndRound_DistinctSubpoliciesOrAnInterruptedStreak_NeverReset()
    {
        var g = Guard();
        for (var round = 0; round < 50; round++) g.EndRound(round, 0.8, 0, 1, [0.5, 0.5]).Should().Be(-1);
        // Two alike rounds, one distinct, two alike: never three in a row.
        double[] distances = [0.1, 0.1, 0.5, 0.1, 0.1];
        for (var i = 0; i < distances.Length; i++) g.EndRound(50 + i, distances[i], 0, 1, [0.5, 0.5]).Should().Be(-1);
        g.Resets.Should().Be(0);
    }

    [Fact]
    public void EndRound_WithinTheGraceRounds_CountsNothing()
    {
        var g = Guard(patience: 1, grace: 10);
        for (var round = 0; round < 10; round++) g.EndRound(round, 0.0, 0, 1, [1.0, 0.0]).Should().Be(-1);
        g.DuplicateStreak.Should().Be(0);
        g.EndRound(10, 0.0, 0, 1, [1.0, 0.0]).Should().Be(1);
    }

    [Fact]
    public void EndRound_UnusedSubpolicy_IsReinitialisedOnlyWhenMinUsageIsSet()
    {
        var off = Guard(minUsage: 0f, patience: 2, grace: 0, k: 3);
        for (var round = 0; round < 10; round++) off.EndRound(round, 0.9, 0, 1, [0.6, 0.4, 0.0]).Should().Be(-1);

        var on = Guard(minUsage: 0.1f, patience: 2, grace: 0, k: 3);
        on.EndRound(0, 0.9, 0, 1, [0.6, 0.4, 0.0]).Should().Be(-1);
        on.EndRound(1, 0.9, 0, 1, [0.6, 0.35, 0.05]).Should().Be(2);
        on.LowUsageStreaks[2].Should().Be(0);
    }

    [Fact]
    public void EndRound_MasterIndifferentForPatienceRounds_ReinitialisesTheLeastChosen()
    {
        var g = new CollapseGuard(new CollapseGuardConfig { MinDistance = 0f, MaxMasterEntropy = 0.5f, PatienceRounds = 2, GraceRounds = 0 }, 3);
        g.EndRound(0, 0.9, 0, 1, [0.3, 0.3, 0.4], masterEntropyFraction: 0.8).Should().Be(-1);
        g.EndRound(1, 0.9, 0, 1, [0.3, 0.3, 0.4], masterEntropyFraction: 0.2).Should().Be(-1, "a decisive master breaks the streak");
        g.EndRound(2, 0.9, 0, 1, [0.3, 0.3, 0.4], masterEntropyFraction: 0.6).Should().Be(-1);
        g.EndRound(3, 0.9, 0, 1, [0.4, 0.25, 0.35], masterEntropyFraction: 0.9).Should().Be(1);
        g.IndifferenceStreak.Should().Be(0);
    }

    [Fact]
    public void EndRound_MasterIndifference_IsIgnoredUnlessConfigured()
    {
        var g = Guard(minDistance: 0f, patience: 1, grace: 0);
        for (var round = 0; round < 10; round++) g.EndRound(round, 0.9, 0, 1, [0.5, 0.5], masterEntropyFraction: 1.0).Should().Be(-1);
        g.IndifferenceStreak.Should().Be(0);
    }

    private static CollapseGuard StallGuard(float gap = 0.3f, int rounds = 3, int grace = 2) =>
        new(new CollapseGuardConfig { MinDistance = 0.6f, StalledTaskGap = gap, StalledTaskRounds = rounds, PatienceRounds = 5, GraceRounds = grace }, 2, tasks: 2);

    /// <summary>One round of <paramref name="task"/>: reports it, then ends the round (sub-policies distinct by action).</summary>
    private static int Round(CollapseGuard g, int round, int task, double meanReturn, double[] usage)
    {
        g.RecordTask(task, meanReturn, usage);
        return g.EndRound(round, 0.7, 0, 1, usage);
    }

    [Fact]
    public void EndRound_TaskFarBelowTheOtherWithoutProgress_ReinitialisesTheSkillTheServedTaskUsesLeast()
    {
        // MovementBandits seed 4: task 0 is served by sub-policy 0 (its master chooses it 90 % of the time), task 1
        // stays near 1.5 (best 4.2) while its master hesitates between the two.
        var g = StallGuard();
        Round(g, 0, 1, 4.2, [0.5, 0.5]).Should().Be(-1);
        Round(g, 1, 0, 38.0, [0.9, 0.1]).Should().Be(-1);
        Round(g, 2, 1, 1.5, [0.45, 0.55]).Should().Be(-1);
        g.StalledTaskStreaks[1].Should().Be(1, "1.5 < 38 − 0.3 × (38 − 1.5) and below task 1's best");
        Round(g, 3, 0, 39.0, [0.92, 0.08]).Should().Be(-1);
        g.StalledTaskStreaks[1].Should().Be(1, "a round of another task neither extends nor breaks task 1's streak");
        Round(g, 4, 1, 2.0, [0.5, 0.5]).Should().Be(-1);
        Round(g, 5, 1, 0.7, [0.55, 0.45]).Should().Be(1, "three stalled task-1 rounds; task 0's master uses sub-policy 1 least");
        g.Resets.Should().Be(1);
        g.StalledTaskStreaks[1].Should().Be(0);
        g.LastResetRound.Should().Be(5);
    }

    [Fact]
    public void EndRound_LaggingTaskThatKeepsImproving_IsNeverReinitialised()
    {
        // MovementBandits seed 1: task 0 lags far behind task 1 for dozens of rounds while its skill is being
        // learned; its returns keep setting new bests, at least every third round.
        var g = StallGuard();
        var lagging = 1.0;
        for (var round = 0; round < 60; round++)
        {
            if (round % 2 == 0) Round(g, round, 1, 38 + round % 3, [0.1, 0.9]).Should().Be(-1);
            else
            {
                lagging += round % 3 == 0 ? 0.6 : -0.2;
                Round(g, round, 0, lagging, [0.5, 0.5]).Should().Be(-1);
            }
        }
        g.Resets.Should().Be(0);
        g.StalledTaskStreaks[0].Should().BeLessThan(3);
    }

    [Fact]
    public void EndRound_BothTasksServed_NeverReinitialises()
    {
        // Both tasks learned together from about 1 to about 39, then 39 ± 3 on both: never 30 % of the range of
        // returns (about 40) behind the other.
        var g = StallGuard(rounds: 1);
        var rnd = new Random(5);
        for (var round = 0; round < 200; round++)
            Round(g, round, rnd.Next(2), Math.Min(1 + 4 * round, 36) + 6 * rnd.NextDouble(), [0.5, 0.5]).Should().Be(-1);
        g.Resets.Should().Be(0);
    }

    [Fact]
    public void EndRound_StalledTask_CountsNothingInTheGraceRoundsAndIsIgnoredUnlessConfigured()
    {
        var graced = StallGuard(rounds: 1, grace: 6);
        Round(graced, 0, 0, 38, [0.9, 0.1]);
        Round(graced, 1, 1, 3, [0.5, 0.5]);
        for (var round = 2; round < 6; round++) Round(graced, round, 1, 1, [0.5, 0.5]).Should().Be(-1);
        graced.StalledTaskStreaks[1].Should().Be(0);
        Round(graced, 6, 1, 1, [0.5, 0.5]).Should().Be(1);

        var off = StallGuard(gap: 0f, rounds: 1, grace: 0);
        Round(off, 0, 0, 38, [0.9, 0.1]);
        Round(off, 1, 1, 3, [0.5, 0.5]);
        for (var round = 2; round < 20; round++) Round(off, round, 1, 1, [0.5, 0.5]).Should().Be(-1);
        off.StalledTaskStreaks[1].Should().Be(0);
    }

    [Fact]
    public void RecordTask_OutOfRangeTaskOrWrongUsage_Throws()
    {
        var g = StallGuard();
        FluentActions.Invoking(() => g.RecordTask(2, 1.0, [0.5, 0.5])).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => g.RecordTask(0, double.NaN, [0.5, 0.5])).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => g.RecordTask(0, 1.0, [1.0])).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void HellingerCategorical_IsZeroForEqual_OneForDisjoint_AndMatchesTheFormula()
    {
        float L(double p) => (float)Math.Log(p);
        float[] a = [L(0.7), L(0.2), L(0.1)], disjointA = [0f, float.NegativeInfinity], disjointB = [float.NegativeInfinity, 0f];
        CollapseGuard.SumHellingerCategorical(a, a, 1, 3).Should().BeApproximately(0, 1e-3);
        CollapseGuard.SumHellingerCategorical(disjointA, disjointB, 1, 2).Should().BeApproximately(1, 1e-9);
        float[] sure = [0f, float.NegativeInfinity], even = [L(0.5), L(0.5)];
        // Two rows: (certain vs even) → √(1 − √0.5), plus (equal) → 0.
        float[] rowsA = [.. sure, .. even], rowsB = [.. even, .. even];
        CollapseGuard.SumHellingerCategorical(rowsA, rowsB, 2, 2).Should().BeApproximately(Math.Sqrt(1 - Math.Sqrt(0.5)), 1e-3); // float log-probabilities: √ of a rounding residue near 0
    }

    [Fact]
    public void HellingerGaussian_AgreesWithNumericalIntegration()
    {
        float[] meanA = [0.3f], meanB = [-0.5f], logStdA = [(float)Math.Log(0.4)], logStdB = [(float)Math.Log(0.9)];
        static double Pdf(double x, double m, double s) => Math.Exp(-0.5 * ((x - m) / s) * ((x - m) / s)) / (s * Math.Sqrt(2 * Math.PI));
        double bc = 0, dx = 1e-4;
        for (var x = -10.0; x < 10; x += dx) bc += Math.Sqrt(Pdf(x, 0.3, 0.4) * Pdf(x, -0.5, 0.9)) * dx;
        CollapseGuard.SumHellingerGaussian(meanA, logStdA, meanB, logStdB, 1, 1).Should().BeApproximately(Math.Sqrt(1 - bc), 1e-4);
        CollapseGuard.SumHellingerGaussian(meanA, logStdA, meanA, logStdA, 1, 1).Should().BeApproximately(0, 1e-3);
    }

    private static string Invariant(float v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static TrainConfig GuardedBandits(float minDistance, float stalledTaskGap = 0f, int stalledTaskRounds = 10) => TrainConfig.Parse(
        TrainerFixtures.SmallBanditsYaml(collapseGuard: $"""
            min_distance: {Invariant(minDistance)}
            stalled_task_gap: {Invariant(stalledTaskGap)}
            stalled_task_rounds: {stalledTaskRounds}
            patience_rounds: 1
            grace_rounds: 0
            """), "guard.yaml");

    /// <summary>Two sub-policies whose output biases make them pick <paramref name="actionA"/> and
    /// <paramref name="actionB"/> almost surely (MovementBandits: 1 = +x, 2 = −x).</summary>
    private static List<ActorCritic> Decisive(int actionA, int actionB)
    {
        var list = new List<ActorCritic>();
        foreach (var (action, seed) in new[] { (actionA, 11UL), (actionB, 12UL) })
        {
            var p = new CategoricalActorCritic(new ActorCriticOptions { ObservationSize = 6, ActionSize = 5, HiddenSizes = [16, 16], Seed = seed });
            p.Parameters[p.PolicyNetwork.Layers[^1].BiasOffset + action] = 12f;
            list.Add(p);
        }
        return list;
    }

    private static float OutputBias(ActorCritic p, int action) => p.Parameters[p.PolicyNetwork.Layers[^1].BiasOffset + action];

    [Fact]
    public void Trainer_SubpoliciesThatActAlike_OneIsReinitialisedAtTheEndOfTheRound()
    {
        using var t = TrainerFixtures.Create(GuardedBandits(0.5f), new MlshTrainerOptions { InitialSubpolicies = Decisive(1, 1) });
        for (var i = 0; i < 4; i++) double.IsNaN(t.RunIteration().SubpolicyDistance).Should().BeTrue("the distance is measured at round ends only");
        var end = t.RunIteration(); // iteration 4 ends round 0 (3 warm-up + 2 joint)
        end.SubpolicyDistance.Should().BeLessThan(0.1);
        end.CollapseResets.Should().Be(1);
        end.ResetSubpolicy.Should().BeInRange(0, 1);
        var victim = t.Subpolicies[end.ResetSubpolicy];
        var kept = t.Subpolicies[1 - end.ResetSubpolicy];
        OutputBias(victim, 1).Should().BeLessThan(1f, "a fresh network replaced the duplicate");
        OutputBias(kept, 1).Should().BeGreaterThan(10f);
        t.Subpolicies.Count.Should().Be(2);
    }

    [Fact]
    public void Trainer_DistinctSubpolicies_AreNeverReinitialised()
    {
        using var t = TrainerFixtures.Create(GuardedBandits(0.5f), new MlshTrainerOptions { InitialSubpolicies = Decisive(1, 2) });
        for (var i = 0; i < 20; i++)
        {
            var m = t.RunIteration();
            if (i % 5 == 4) m.SubpolicyDistance.Should().BeGreaterThan(0.9);
            m.CollapseResets.Should().Be(0);
            m.ResetSubpolicy.Should().Be(-1);
        }
        OutputBias(t.Subpolicies[0], 1).Should().BeGreaterThan(10f);
        OutputBias(t.Subpolicies[1], 2).Should().BeGreaterThan(10f);
    }

    [Fact]
    public void Trainer_UnservedTaskTestThatNeverTriggers_LeavesTrainingBitIdentical()
    {
        // stalled_task_gap 1: a task would have to trail the best other by more than the whole range of returns.
        using var plain = TrainerFixtures.Create(TrainerFixtures.SmallBandits(iterations: 40));
        using var guarded = TrainerFixtures.Create(GuardedBandits(0f, stalledTaskGap: 1f, stalledTaskRounds: 1));
        for (var i = 0; i < 40; i++)
        {
            plain.RunIteration();
            guarded.RunIteration().CollapseResets.Should().Be(0);
        }
        TrainerFixtures.AllParameters(guarded).Should().Equal(TrainerFixtures.AllParameters(plain));
    }

    [Fact]
    public void Trainer_WithUnservedTaskTest_ResumesBitForBitMidRound()
    {
        // A hair-trigger test (any round of a task that trails the other and sets no best counts; one such round
        // resets) so that resets happen within a few rounds and the per-task history crosses the checkpoint.
        var config = GuardedBandits(0f, stalledTaskGap: 1e-6f, stalledTaskRounds: 1);
        var fingerprint = TrainingRun.Fingerprint(config);
        const int iterations = 100;
        using var straight = TrainerFixtures.Create(config);
        var straightResets = new List<int>();
        for (var i = 0; i < iterations; i++) straightResets.Add(straight.RunIteration().ResetSubpolicy);
        var firstReset = straightResets.FindIndex(r => r >= 0);
        firstReset.Should().BeGreaterThanOrEqualTo(0, "the test must cover a restored history that led to a reset");
        // After the next round's first joint iteration: its return and usage so far must survive the checkpoint.
        var saveAfter = firstReset + 5;
        var path = Path.Combine(_dir, "stalled.bin");
        using (var first = TrainerFixtures.Create(config))
        {
            for (var i = 0; i < saveAfter; i++) first.RunIteration();
            first.SaveCheckpoint(path, fingerprint);
        }
        using var resumed = TrainerFixtures.Create(config);
        resumed.LoadCheckpoint(path, fingerprint);
        var resumedResets = new List<int>();
        for (var i = saveAfter; i < iterations; i++) resumedResets.Add(resumed.RunIteration().ResetSubpolicy);
        straightResets.Skip(saveAfter).Should().Contain(r => r >= 0, "a reset after it, decided from the restored history");
        resumedResets.Should().Equal(straightResets.Skip(saveAfter));
        TrainerFixtures.AllParameters(resumed).Should().Equal(TrainerFixtures.AllParameters(straight));
    }

    [Fact]
    public void Trainer_GuardThatNeverTriggers_LeavesTrainingBitIdentical()
    {
        using var plain = TrainerFixtures.Create(TrainerFixtures.SmallBandits());
        using var guarded = TrainerFixtures.Create(GuardedBandits(0f));
        for (var i = 0; i < 10; i++)
        {
            plain.RunIteration();
            guarded.RunIteration().CollapseResets.Should().Be(0);
        }
        TrainerFixtures.AllParameters(guarded).Should().Equal(TrainerFixtures.AllParameters(plain));
    }

    [Fact]
    public void Trainer_WithGuard_ResumesBitForBitMidRound()
    {
        // min_distance 1: every round end counts as "alike", so resets happen and the state matters.
        var config = GuardedBandits(1f);
        var fingerprint = TrainingRun.Fingerprint(config);
        using var straight = TrainerFixtures.Create(config);
        for (var i = 0; i < 14; i++) straight.RunIteration();
        var path = Path.Combine(_dir, "checkpoint.bin");
        using (var first = TrainerFixtures.Create(config))
        {
            // After iteration 8, the first joint iteration of round 1: the round's usage so far (which picks
            // the sub-policy to reset at iteration 9) must survive the checkpoint.
            for (var i = 0; i < 9; i++) first.RunIteration();
            first.SaveCheckpoint(path, fingerprint);
        }
        using var resumed = TrainerFixtures.Create(config);
        resumed.LoadCheckpoint(path, fingerprint);
        IterationMetrics? last = null;
        for (var i = 0; i < 5; i++) last = resumed.RunIteration();
        last!.CollapseResets.Should().Be(2, "rounds 0 and 1 ended with a reset");
        TrainerFixtures.AllParameters(resumed).Should().Equal(TrainerFixtures.AllParameters(straight));
    }

    [Fact]
    public void Config_GuardIsParsedValidatedAndLeftOutOfTheFingerprintWhenAbsent()
    {
        var guarded = GuardedBandits(0.25f);
        guarded.Hierarchy.CollapseGuard!.MinDistance.Should().Be(0.25f);
        guarded.Hierarchy.CollapseGuard.PatienceRounds.Should().Be(1);
        var plain = TrainerFixtures.SmallBandits();
        plain.Hierarchy.CollapseGuard.Should().BeNull();
        TrainingRun.Fingerprint(guarded).Should().NotBe(TrainingRun.Fingerprint(plain));
        plain.Hierarchy.CollapseGuard = new CollapseGuardConfig();
        var withDefaults = TrainingRun.Fingerprint(plain);
        plain.Hierarchy.CollapseGuard = null;
        TrainingRun.Fingerprint(plain).Should().NotBe(withDefaults, "an absent guard serializes nothing, a present one its keys");
        plain.Hierarchy.CollapseGuard = new CollapseGuardConfig { StalledTaskGap = 0f, StalledTaskRounds = 10 };
        TrainingRun.Fingerprint(plain).Should().Be(withDefaults, "the stalled_task keys are left out at their defaults, so older guard configs keep their fingerprint");
        plain.Hierarchy.CollapseGuard = new CollapseGuardConfig { StalledTaskGap = 0.3f };
        TrainingRun.Fingerprint(plain).Should().NotBe(withDefaults);
        plain.Hierarchy.CollapseGuard = new CollapseGuardConfig { StalledTaskRounds = 8 };
        TrainingRun.Fingerprint(plain).Should().NotBe(withDefaults);
    }

    [Theory]
    [InlineData("min_distance: 0.2", "min_distance: 1.5", "key 'hierarchy.collapse_guard.min_distance': got 1.5; expected a number in [0, 1]")]
    [InlineData("min_distance: 0.2", "min_distance: 0.2\n    stalled_task_gap: 1.2", "key 'hierarchy.collapse_guard.stalled_task_gap': got 1.2; expected a number in [0, 1]")]
    [InlineData("min_distance: 0.2", "min_distance: 0.2\n    stalled_task_rounds: 0", "key 'hierarchy.collapse_guard.stalled_task_rounds': got 0; expected an integer in [1, 1000000]")]
    [InlineData("patience_rounds: 1", "patience_rounds: 0", "key 'hierarchy.collapse_guard.patience_rounds': got 0; expected an integer in [1, 1000000]")]
    [InlineData("grace_rounds: 0", "grace_rounds: -1", "key 'hierarchy.collapse_guard.grace_rounds': got -1; expected an integer ≥ 0")]
    [InlineData("subpolicies: 2", "subpolicies: 1", "key 'hierarchy.collapse_guard':*hierarchy.subpolicies ≥ 2*")]
    [InlineData("algorithm: mlsh", "algorithm: flat", "key 'hierarchy.collapse_guard':*algorithm: flat*")]
    [InlineData("patience_rounds: 1", "patience: 1", "*unknown key 'patience'*patience_rounds*")]
    public void Config_BadGuardValue_FailsNamingTheKey(string from, string to, string message)
    {
        var yaml = """
            algorithm: mlsh
            hierarchy:
              subpolicies: 2
              collapse_guard:
                min_distance: 0.2
                patience_rounds: 1
                grace_rounds: 0
            """.Replace(from, to, StringComparison.Ordinal);
        var act = () => TrainConfig.Parse(yaml, "guard.yaml");
        act.Should().Throw<Core.Configuration.ConfigException>().WithMessage("guard.yaml: " + message);
    }
}

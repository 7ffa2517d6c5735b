using Mlsh.NeuralNets;
using Mlsh.NeuralNets.Policies;
using Mlsh.Trainer.Ppo;

namespace Mlsh.Trainer.Tests.Ppo;

public class PpoUpdaterTests
{
    /// <summary>
    /// One-step contextual bandit: observation = target t ∈ [−0.8, 0.8], reward = −(a − t)². Every step
    /// terminates, so GAE reduces to A = r − V.
    /// </summary>
    private static float TargetError(GaussianActorCritic policy, SeededRandom random, int n = 200)
    {
        var obs = new float[n];
        for (var i = 0; i < n; i++) obs[i] = random.NextFloat() * 1.6f - 0.8f;
        var mean = new float[n];
        policy.ActDeterministic(obs, n, mean);
        return Enumerable.Range(0, n).Average(i => (mean[i] - obs[i]) * (mean[i] - obs[i]));
    }

    private static void CollectTargetBandit(GaussianActorCritic policy, PpoBatch batch, SeededRandom random, int n)
    {
        var obs = batch.Observations[..n];
        for (var i = 0; i < n; i++) obs[i] = random.NextFloat() * 1.6f - 0.8f;
        policy.Act(obs, n, random, batch.Actions[..n], batch.LogProbs[..n], batch.Values[..n]);
        var rewards = new float[n];
        for (var i = 0; i < n; i++)
        {
            var a = Math.Clamp(batch.Actions[i], -1f, 1f);
            rewards[i] = -(a - obs[i]) * (a - obs[i]);
        }
        var terminal = Enumerable.Repeat(true, n).ToArray();
        Gae.Compute(rewards, batch.Values[..n], terminal, terminal, new float[n], 0.99f, 0.98f, batch.Advantages[..n], batch.Returns[..n]);
        batch.Count = n;
    }

    [Fact]
    public void Update_LearnsAContinuousTargetReachingBandit_WithinASmallBudget()
    {
        var policy = new GaussianActorCritic(new ActorCriticOptions { ObservationSize = 1, ActionSize = 1, HiddenSizes = [32, 32], Seed = 1, InitialLogStd = -0.5f });
        var ppo = new PpoUpdater(policy, PpoOptions.SubPolicy with { LearningRate = 3e-3f, Epochs = 5, Seed = 2 });
        var random = new SeededRandom(3);
        var batch = new PpoBatch(256, 1, 1);
        var before = TargetError(policy, new SeededRandom(99));
        for (var iteration = 0; iteration < 60; iteration++)
        {
            CollectTargetBandit(policy, batch, random, 256);
            ppo.Update(batch);
        }
        var after = TargetError(policy, new SeededRandom(99));
        before.Should().BeGreaterThan(0.15f, "the untrained mean action is ≈ 0, far from targets spread over ±0.8");
        after.Should().BeLessThan(0.01f, "PPO should place the mean action within ≈ 0.1 of the target");
    }

    [Fact]
    public void Update_LearnsAContextualTwoArmedBandit_ForTheCategoricalMaster()
    {
        // context c ∈ {0, 1} as a one-hot observation; arm c pays 1, the other 0
        var master = new CategoricalActorCritic(new ActorCriticOptions { ObservationSize = 2, ActionSize = 2, Seed = 4 });
        var ppo = new PpoUpdater(master, PpoOptions.Master with { Epochs = 4, Seed = 5 });
        var random = new SeededRandom(6);
        const int n = 128;
        var batch = new PpoBatch(n, 2, 1);
        var choices = new int[n];
        var rewards = new float[n];
        var terminal = Enumerable.Repeat(true, n).ToArray();
        float meanReward = 0;
        for (var iteration = 0; iteration < 25; iteration++)
        {
            var obs = batch.Observations;
            obs.Clear();
            for (var i = 0; i < n; i++) obs[i * 2 + random.NextInt(2)] = 1f;
            master.Act(obs, n, random, choices, batch.LogProbs, batch.Values);
            for (var i = 0; i < n; i++)
            {
                batch.Actions[i] = choices[i];
                rewards[i] = obs[i * 2 + choices[i]] == 1f ? 1f : 0f;
            }
            meanReward = rewards.Average();
            Gae.Compute(rewards, batch.Values[..n], terminal, terminal, new float[n], 0.99f, 0.98f, batch.Advantages[..n], batch.Returns[..n]);
            batch.Count = n;
            ppo.Update(batch);
        }
        meanReward.Should().BeGreaterThan(0.9f, "the sampled choices should almost always pick the paying arm");
        var greedy = new int[2];
        master.ActDeterministic([1f, 0f, 0f, 1f], 2, greedy);
        greedy.Should().Equal(0, 1);
    }

    private static (GaussianActorCritic Policy, PpoBatch Batch) Fixture(int rows, ulong seed)
    {
        var policy = new GaussianActorCritic(new ActorCriticOptions { ObservationSize = 3, ActionSize = 2, HiddenSizes = [16, 16], Seed = seed });
        var batch = new PpoBatch(rows, 3, 2);
        var random = new SeededRandom(seed + 1);
        random.FillGaussian(batch.Observations);
        policy.Act(batch.Observations, rows, random, batch.Actions, batch.LogProbs, batch.Values);
        random.FillGaussian(batch.Advantages);
        for (var i = 0; i < rows; i++) batch.Returns[i] = batch.Values[i] + batch.Advantages[i];
        batch.Count = rows;
        return (policy, batch);
    }

    [Fact]
    public void Update_IsDeterministicForFixedSeeds()
    {
        float[] Run()
        {
            var (policy, batch) = Fixture(100, 7);
            var stats = new PpoUpdater(policy, new PpoOptions { Seed = 8, MinibatchSize = 32 }).Update(batch);
            return [.. policy.Parameters.ToArray(), stats.PolicyLoss, stats.ValueLoss, stats.ApproxKl];
        }
        Run().Should().Equal(Run());
    }

    [Fact]
    public void Update_OnARowSubset_EqualsUpdatingOnABatchOfOnlyThoseRows()
    {
        var (policyA, full) = Fixture(60, 11);
        var rows = Enumerable.Range(0, 60).Where(i => i % 3 == 1).ToArray();
        for (var i = 0; i < 60; i++) if (i % 3 != 1) full.Advantages[i] = 1e6f; // would wreck the update if used

        var (policyB, _) = Fixture(60, 11);
        var compact = new PpoBatch(rows.Length, 3, 2);
        for (var k = 0; k < rows.Length; k++)
        {
            var r = rows[k];
            full.Observations.Slice(r * 3, 3).CopyTo(compact.Observations[(k * 3)..]);
            full.Actions.Slice(r * 2, 2).CopyTo(compact.Actions[(k * 2)..]);
            compact.LogProbs[k] = full.LogProbs[r];
            compact.Values[k] = full.Values[r];
            compact.Advantages[k] = full.Advantages[r];
            compact.Returns[k] = full.Returns[r];
        }
        compact.Count = rows.Length;

        var options = new PpoOptions { Seed = 3, MinibatchSize = 8, Epochs = 3 };
        var statsA = new PpoUpdater(policyA, options).Update(full, rows);
        var statsB = new PpoUpdater(policyB, options).Update(compact);
        statsA.Samples.Should().Be(20);
        statsA.GradientSteps.Should().Be(3 * 3); // 20 rows in minibatches of 8 → 8, 8, 4 per epoch
        policyA.Parameters.ToArray().Should().Equal(policyB.Parameters.ToArray());
        statsA.Should().Be(statsB);
    }

    [Fact]
    public void Update_ReportsFiniteStats_AndMovesOnlyWithinTheTrustRegionOnTheFirstMinibatch()
    {
        var (policy, batch) = Fixture(64, 21);
        var stats = new PpoUpdater(policy, new PpoOptions { Seed = 1, Epochs = 1, MinibatchSize = 64 }).Update(batch);
        stats.ClipFraction.Should().Be(0f, "the first step evaluates the unchanged policy, so every ratio is 1");
        stats.ApproxKl.Should().BeApproximately(0f, 1e-6f);
        stats.GradientNorm.Should().BePositive();
        float.IsFinite(stats.ExplainedVariance).Should().BeTrue();
        stats.Entropy.Should().BeApproximately(2 * (0 + 0.5f * MathF.Log(2 * MathF.PI * MathF.E)), 1e-4f);
    }

    [Fact]
    public void ReduceGradients_SeesTheFullGradientBeforeEveryStep_AndItsResultIsWhatAdamApplies()
    {
        var (policy, batch) = Fixture(40, 31);
        var before = policy.Parameters.ToArray();
        var calls = 0;
        var ppo = new PpoUpdater(policy, new PpoOptions { Seed = 1, Epochs = 2, MinibatchSize = 20, UpdateNormalizer = false })
        {
            ReduceGradients = g =>
            {
                calls++;
                g.Length.Should().Be(policy.Parameters.Length);
                g.Clear(); // an allreduce that (here) cancels everything: Adam must then leave θ unchanged
            },
        };
        ppo.Update(batch);
        calls.Should().Be(4);
        policy.Parameters.ToArray().Should().Equal(before);
    }

    [Fact]
    public void Update_AllocatesNothing_AfterTheFirstUpdate()
    {
        var (policy, batch) = Fixture(256, 41);
        var ppo = new PpoUpdater(policy, new PpoOptions { Seed = 1, Epochs = 2 });
        var rows = Enumerable.Range(0, 128).Select(i => 2 * i).ToArray();
        ppo.Update(batch);
        ppo.Update(batch, rows);
        var bytes = GC.GetAllocatedBytesForCurrentThread();
        ppo.Update(batch);
        ppo.Update(batch, rows);
        (GC.GetAllocatedBytesForCurrentThread() - bytes).Should().Be(0);
    }

    [Fact]
    public void Update_RejectsARowIndexBeyondCount_NamingItsPosition()
    {
        var (policy, batch) = Fixture(10, 1);
        var act = () => new PpoUpdater(policy, new PpoOptions()).Update(batch, [0, 10]);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*position 1 must be in [0, 10)*");
    }

    [Fact]
    public void Update_RejectsABatchShapedForAnotherPolicy()
    {
        var (policy, _) = Fixture(10, 1);
        var act = () => new PpoUpdater(policy, new PpoOptions()).Update(new PpoBatch(10, 4, 2));
        act.Should().Throw<ArgumentException>().WithMessage("*4 obs / 2 action floats, the policy expects 3 / 2*");
    }

    [Fact]
    public void Update_RejectsNonFiniteAdvantages_NamingTheRow()
    {
        var (policy, batch) = Fixture(10, 1);
        batch.Advantages[4] = float.NaN;
        var act = () => new PpoUpdater(policy, new PpoOptions()).Update(batch);
        act.Should().Throw<ArgumentException>().WithMessage("*advantage at row 4 is NaN*");
    }

    [Fact]
    public void Options_RejectZeroEpochs()
    {
        var (policy, _) = Fixture(10, 1);
        var act = () => new PpoUpdater(policy, new PpoOptions { Epochs = 0 });
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*epochs must be ≥ 1*");
    }

    [Fact]
    public void Defaults_FollowTheMlshPaper()
    {
        PpoOptions.SubPolicy.LearningRate.Should().Be(3e-4f);
        PpoOptions.Master.LearningRate.Should().Be(1e-2f);
        var o = new PpoOptions();
        (o.Gamma, o.Lambda, o.ClipRange).Should().Be((0.99f, 0.98f, 0.2f));
        new ActorCriticOptions { ObservationSize = 1, ActionSize = 1 }.HiddenSizes.Should().Equal(64, 64);
    }
}

using Mlsh.Trainer.Mlsh;
using Mlsh.Trainer.Ppo;

namespace Mlsh.Trainer.Tests.Mlsh;

public sealed class MlshTrainerTests
{
    [Fact]
    public void RunIteration_SameSeed_GivesBitIdenticalParameters_DifferentSeedDoesNot()
    {
        float[] Train(ulong seed)
        {
            using var t = TrainerFixtures.Create(TrainerFixtures.SmallBandits(iterations: 12, seed: seed));
            for (var i = 0; i < 12; i++) t.RunIteration();
            return TrainerFixtures.AllParameters(t);
        }
        var a = Train(7);
        Train(7).Should().Equal(a);
        Train(8).Should().NotEqual(a);
    }

    [Fact]
    public void Warmup_UpdatesOnlyTheMaster_AndTheJointPeriodUpdatesSubpolicies()
    {
        using var t = TrainerFixtures.Create(TrainerFixtures.SmallBandits());
        var subBefore = t.Subpolicies.Select(p => p.Parameters.ToArray()).ToArray();
        var normBefore = t.Subpolicies.Select(p => p.Normalizer.Count).ToArray();
        for (var i = 0; i < 3; i++)
        {
            t.NextPhase.Should().Be(TrainingPhase.Warmup);
            t.PrepareIteration();
            var masterBefore = t.Master!.Parameters.ToArray();
            var m = t.RunIteration();
            m.Phase.Should().Be("warmup");
            t.Master!.Parameters.ToArray().Should().NotEqual(masterBefore, $"warm-up iteration {i} trains the master");
            for (var k = 0; k < 2; k++)
            {
                t.Subpolicies[k].Parameters.ToArray().Should().Equal(subBefore[k], $"sub-policy {k} is frozen during warm-up");
                t.Subpolicies[k].Normalizer.Count.Should().Be(normBefore[k]);
            }
        }
        t.NextPhase.Should().Be(TrainingPhase.Joint);
        t.RunIteration().Phase.Should().Be("joint");
        Enumerable.Range(0, 2).Any(k => !t.Subpolicies[k].Parameters.ToArray().SequenceEqual(subBefore[k]))
            .Should().BeTrue("the joint period updates the sub-policies that acted");
    }

    [Fact]
    public void NewTaskRound_ReinitializesTheMasterAndItsOptimizer()
    {
        using var t = TrainerFixtures.Create(TrainerFixtures.SmallBandits());
        for (var i = 0; i < 5; i++) t.RunIteration(); // round 0: 3 warm-up + 2 joint
        var oldMaster = t.Master!;
        var trained = oldMaster.Parameters.ToArray();
        t.Round.Should().Be(0);
        t.PrepareIteration();
        t.Round.Should().Be(1);
        t.Master.Should().NotBeSameAs(oldMaster);
        t.MasterUpdater!.Optimizer.StepCount.Should().Be(0, "a fresh master gets a fresh Adam");
        var fresh = t.CreateMaster(1, 0).Parameters.ToArray();
        t.Master!.Parameters.ToArray().Should().Equal(fresh, "round 1's master is the seeded initialization, not round 0's trained master");
        t.Master!.Parameters.ToArray().Should().NotEqual(trained);
        t.Master!.Normalizer.Count.Should().Be(0);
        t.NextPhase.Should().Be(TrainingPhase.Warmup);
    }

    [Fact]
    public void SubpolicyAdvantages_DoNotBootstrapAcrossAMasterSwitchIntoAnotherSubpolicysValue()
    {
        // Two identical trainers, except that sub-policy 1's value network is shifted in B. Actions do not
        // depend on values, so both collect the same rollout. Sub-policy 0's advantages must not move:
        // they may only use sub-policy 0's own values (openai/mlsh issue #7).
        using var a = TrainerFixtures.Create(TrainerFixtures.SmallBandits());
        using var b = TrainerFixtures.Create(TrainerFixtures.SmallBandits());
        var valueNet = b.Subpolicies[1].ValueNetwork;
        b.Subpolicies[1].Parameters[valueNet.Layers[^1].BiasOffset] += 3f;
        foreach (var t in new[] { a, b })
        {
            t.PrepareIteration();
            t.CollectRollout();
            t.ComputeTargets();
        }
        a.ActiveSubpolicy.ToArray().Should().Equal(b.ActiveSubpolicy.ToArray(), "both trainers collected the same rollout");
        var active = a.ActiveSubpolicy.ToArray();
        active.Should().Contain(0).And.Contain(1);
        var switches = 0;
        for (var r = 4; r < active.Length; r++) if (active[r] != active[r - 4]) switches++;
        switches.Should().BeGreaterThan(0, "the rollout must contain master switches between the two sub-policies");

        var advA = a.SubpolicyAdvantages.ToArray();
        var advB = b.SubpolicyAdvantages.ToArray();
        for (var r = 0; r < active.Length; r++)
        {
            if (active[r] == 0) advB[r].Should().Be(advA[r], $"row {r} belongs to sub-policy 0");
        }
        Enumerable.Range(0, active.Length).Any(r => active[r] == 1 && advA[r] != advB[r]).Should().BeTrue();

        // Control: the original code's chaining (segments cut only at episode ends) leaks sub-policy 1's
        // value into sub-policy 0's advantages, so this test would catch that bug.
        float[] Chained(MlshTrainer t)
        {
            var n = active.Length;
            var adv = new float[n];
            var ret = new float[n];
            Gae.ComputeTimeMajor(50, 4, t.RolloutRewards, t.RolloutValues, new bool[n], t.RolloutTerminated, t.RolloutBootstrap, 0.99f, 0.98f, adv, ret);
            return adv;
        }
        var chainedA = Chained(a);
        var chainedB = Chained(b);
        Enumerable.Range(0, active.Length).Any(r => active[r] == 0 && chainedA[r] != chainedB[r]).Should().BeTrue();
    }

    [Fact]
    public void CollectRollout_AllocatesNothingPerStep()
    {
        using var t = TrainerFixtures.Create(TrainerFixtures.SmallBandits());
        t.PrepareIteration();
        t.CollectRollout();
        t.ComputeTargets();
        var before = GC.GetAllocatedBytesForCurrentThread();
        t.CollectRollout(); // 200 agent steps, 20 master decisions
        t.ComputeTargets();
        // Only the iteration's re-derived random stream object (tens of bytes); any per-step allocation
        // would cost at least 200 × 24 bytes.
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(512);
    }

    [Fact]
    public void Flat_TrainsOnePolicyEveryIteration_WithoutMaster()
    {
        using var t = TrainerFixtures.Create(TrainerFixtures.SmallBandits("flat"));
        t.Subpolicies.Should().HaveCount(1);
        var before = t.Subpolicies[0].Parameters.ToArray();
        var m = t.RunIteration();
        m.Phase.Should().Be("flat");
        t.Master.Should().BeNull();
        t.Subpolicies[0].Parameters.ToArray().Should().NotEqual(before);
        m.Episodes.Should().Be(4);
    }

    [Fact]
    public void Metrics_ReportEpisodesUsageAndDiversity()
    {
        using var t = TrainerFixtures.Create(TrainerFixtures.SmallBandits());
        var m = t.RunIteration();
        m.Episodes.Should().Be(4, "4 instances × one 50-step episode");
        m.EnvSteps.Should().Be(200);
        m.SkillUsage.Should().HaveCount(2);
        m.SkillUsage.Sum().Should().BeApproximately(1, 1e-9);
        double.IsFinite(m.MeanReturn).Should().BeTrue();
    }
}

using Mlsh.NeuralNets.Policies;

namespace Mlsh.NeuralNets.Tests.Policies;

public class ActorCriticTests
{
    private static ActorCriticOptions Options(int actionSize, ulong seed = 1) => new()
    {
        ObservationSize = 4, ActionSize = actionSize, HiddenSizes = [6, 5], Seed = seed, InitialLogStd = -0.3f,
    };

    private static void Perturb(ActorCritic policy, ulong seed)
    {
        // Output gains of 0.01 make the heads almost flat; spread the weights so every path carries gradient.
        var noise = GradientCheck.RandomArray(policy.Parameters.Length, seed, 0.4f);
        for (var i = 0; i < noise.Length; i++) policy.Parameters[i] += noise[i];
    }

    [Theory]
    [InlineData(PolicyKind.Gaussian)]
    [InlineData(PolicyKind.Categorical)]
    public void Backward_MatchesFiniteDifferences_ThroughNormalizerNetworksAndHead(PolicyKind kind)
    {
        const int batch = 7;
        ActorCritic policy = kind == PolicyKind.Gaussian ? new GaussianActorCritic(Options(3)) : new CategoricalActorCritic(Options(3));
        Perturb(policy, 5);
        var obs = GradientCheck.RandomArray(batch * 4, 6, 2f);
        policy.Normalizer.Update(obs, batch);
        var actions = kind == PolicyKind.Gaussian
            ? GradientCheck.RandomArray(batch * 3, 7)
            : [0, 2, 1, 1, 0, 2, 2];
        var gLogp = GradientCheck.RandomArray(batch, 8);
        var gEnt = GradientCheck.RandomArray(batch, 9);
        var gVal = GradientCheck.RandomArray(batch, 10);
        float[] logp = new float[batch], ent = new float[batch], val = new float[batch];

        double Loss()
        {
            policy.EvaluateActions(obs, actions, batch, logp, ent, val);
            double s = 0;
            for (var b = 0; b < batch; b++) s += (double)gLogp[b] * logp[b] + (double)gEnt[b] * ent[b] + (double)gVal[b] * val[b];
            return s;
        }

        Loss();
        policy.Store.ZeroGradients();
        policy.Backward(gLogp, gEnt, gVal);
        var analytic = policy.Gradients.ToArray();
        analytic.Should().Contain(g => MathF.Abs(g) > 1e-3f);
        GradientCheck.WorstError(policy.Parameters, analytic, Loss, 3e-3f).Error.Should().BeLessThan(3e-3);
    }

    [Fact]
    public void Gaussian_ActLogProbs_EqualEvaluateActionsOnTheSampledActions()
    {
        var policy = new GaussianActorCritic(Options(2));
        Perturb(policy, 2);
        var obs = GradientCheck.RandomArray(5 * 4, 3);
        float[] actions = new float[10], logp = new float[5], values = new float[5];
        policy.Act(obs, 5, new SeededRandom(4), actions, logp, values);
        float[] logp2 = new float[5], ent = new float[5], values2 = new float[5];
        policy.EvaluateActions(obs, actions, 5, logp2, ent, values2);
        for (var b = 0; b < 5; b++)
        {
            logp2[b].Should().BeApproximately(logp[b], 1e-5f);
            values2[b].Should().BeApproximately(values[b], 1e-6f);
        }
    }

    [Fact]
    public void Categorical_ActLogProbs_EqualEvaluateActionsOnTheSampledChoices()
    {
        var policy = new CategoricalActorCritic(Options(4));
        Perturb(policy, 2);
        var obs = GradientCheck.RandomArray(6 * 4, 3);
        int[] choices = new int[6];
        float[] logp = new float[6], values = new float[6];
        policy.Act(obs, 6, new SeededRandom(4), choices, logp, values);
        choices.Should().OnlyContain(c => c >= 0 && c < 4);
        float[] logp2 = new float[6], ent = new float[6], values2 = new float[6];
        policy.EvaluateActions(obs, choices.Select(c => (float)c).ToArray(), 6, logp2, ent, values2);
        for (var b = 0; b < 6; b++) logp2[b].Should().BeApproximately(logp[b], 1e-5f);
    }

    [Fact]
    public void SameSeed_GivesIdenticalParametersAndActions()
    {
        var obs = GradientCheck.RandomArray(3 * 4, 1);
        float[] Run()
        {
            var p = new GaussianActorCritic(Options(2, seed: 77));
            var a = new float[6];
            p.Act(obs, 3, new SeededRandom(5), a, new float[3], new float[3]);
            return p.Parameters.ToArray().Concat(a).ToArray();
        }
        Run().Should().Equal(Run());
    }

    [Fact]
    public void Gaussian_ActDeterministic_ReturnsTheMean_AndClipActionsLimitsToTheEnvRange()
    {
        var policy = new GaussianActorCritic(Options(2));
        Perturb(policy, 9);
        var obs = GradientCheck.RandomArray(4, 1);
        var mean = new float[2];
        policy.ActDeterministic(obs, 1, mean);
        var expected = new float[2];
        var normalized = new float[4];
        policy.Normalizer.Normalize(obs, 1, normalized);
        policy.PolicyNetwork.Infer(normalized, 1, expected);
        mean.Should().Equal(expected);
        var env = new float[3];
        policy.ClipActions([2.5f, -0.2f, -7f], env);
        env.Should().Equal(1f, -0.2f, -1f);
    }

    [Fact]
    public void Categorical_EvaluateActions_RejectsANonIntegerOrOutOfRangeChoice()
    {
        var policy = new CategoricalActorCritic(Options(3));
        var obs = new float[4];
        var bad = () => policy.EvaluateActions(obs, [3f], 1, new float[1], new float[1], new float[1]);
        bad.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*integer in [0, 3)*");
        var fractional = () => policy.EvaluateActions(obs, [1.5f], 1, new float[1], new float[1], new float[1]);
        fractional.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void ActAndTraining_AllocateNothing_AfterWarmUp()
    {
        var g = new GaussianActorCritic(new ActorCriticOptions { ObservationSize = 30, ActionSize = 8 });
        var c = new CategoricalActorCritic(new ActorCriticOptions { ObservationSize = 30, ActionSize = 4 });
        var obs = GradientCheck.RandomArray(64 * 30, 1);
        var random = new SeededRandom(2);
        float[] actions = new float[64 * 8], logp = new float[64], ent = new float[64], val = new float[64], grad = new float[64];
        var choices = new int[64];
        void Cycle()
        {
            g.Act(obs, 16, random, actions, logp, val);
            c.Act(obs, 16, random, choices, logp, val);
            g.EvaluateActions(obs, actions, 64, logp, ent, val);
            g.Backward(grad, grad, grad);
            g.PredictValue(obs.AsSpan(0, 30));
        }
        Cycle();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++) Cycle();
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    [Fact]
    public void Options_RejectAZeroActionSize()
    {
        var act = () => new GaussianActorCritic(new ActorCriticOptions { ObservationSize = 3, ActionSize = 0 });
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*action size must be ≥ 1*");
    }

    [Fact]
    public void ParameterLayout_IsPolicyLayersThenValueLayersThenLogStd()
    {
        var p = new GaussianActorCritic(Options(3));
        p.PolicyNetwork.Layers[0].WeightOffset.Should().Be(0);
        p.ValueNetwork.Layers[0].WeightOffset.Should().Be(4 * 6 + 6 + 6 * 5 + 5 + 5 * 3 + 3);
        p.LogStdOffset.Should().Be(p.Parameters.Length - 3);
        p.LogStd.ToArray().Should().OnlyContain(x => x == -0.3f);
    }

    [Fact]
    public void BlindPolicyTo_ZeroesThoseInputsWeights_AndBackwardKeepsTheirGradientsZero_SoAdamNeverMovesThem()
    {
        var policy = new GaussianActorCritic(Options(2));
        Perturb(policy, 11);
        policy.BlindPolicyTo(1, 2);
        var first = policy.PolicyNetwork.Layers[0];
        var adam = new Mlsh.NeuralNets.Optimization.Adam(policy.Parameters.Length, 0.05f);
        var obs = GradientCheck.RandomArray(5 * 4, 12, 2f);
        var actions = GradientCheck.RandomArray(5 * 2, 13);
        float[] logp = new float[5], ent = new float[5], val = new float[5];
        var start = policy.Parameters.ToArray();

        for (var step = 0; step < 5; step++)
        {
            policy.EvaluateActions(obs, actions, 5, logp, ent, val);
            policy.Store.ZeroGradients();
            policy.Backward(GradientCheck.RandomArray(5, (ulong)(20 + step)), GradientCheck.RandomArray(5, 30), GradientCheck.RandomArray(5, 40));
            adam.Step(policy.Parameters, policy.Gradients);
        }

        var weights = first.Weights.ToArray();
        for (var i = 0; i < 4; i++)
        {
            var row = weights.AsSpan(i * first.OutputSize, first.OutputSize).ToArray();
            if (i is 1 or 2) row.Should().OnlyContain(w => w == 0f, $"input {i} is blinded");
            else row.Should().Contain(w => w != 0f);
        }
        policy.Parameters.ToArray().Should().NotEqual(start, "the other weights learn");
        var valueFirst = policy.ValueNetwork.Layers[0];
        var valueRow = valueFirst.Weights.Slice(1 * valueFirst.OutputSize, valueFirst.OutputSize).ToArray();
        valueRow.Should().Contain(w => w != 0f, "the value network still sees blinded inputs");
    }

    [Fact]
    public void BlindPolicyTo_ARangeOutsideTheObservation_Throws()
    {
        var policy = new GaussianActorCritic(Options(2));

        var act = () => policy.BlindPolicyTo(3, 2);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*[3, 5)*4 observation elements*");
    }
}

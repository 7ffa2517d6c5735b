using Mlsh.Trainer.Mlsh;

namespace Mlsh.Trainer.Tests.Mlsh;

public sealed class MasterEpsilonTests
{
    [Theory]
    [InlineData(0.3, 0.1, 8)]
    [InlineData(0.9, 0.2, 4)]
    [InlineData(1e-6, 0.05, 2)]
    public void EpsilonMixtureLogProb_IsTheLogOfTheProbabilityTheExploringMasterMakesTheChoiceWith(double policy, double epsilon, int choices)
    {
        var expected = Math.Log((1 - epsilon) * policy + epsilon / choices);
        MlshTrainer.EpsilonMixtureLogProb((float)Math.Log(policy), (float)epsilon, choices).Should().BeApproximately((float)expected, 1e-5f);
    }

    [Fact]
    public void EpsilonMixtureLogProb_OfAChoiceTheMasterGivesNoProbability_IsLogEpsilonOverK_SoThePpoRatioStaysFinite()
    {
        // A confident master's log-probability for an ε-random choice (log π = −1000; −88 already overflows exp of
        // the PPO log-ratio in single precision when the master is then asked about it again).
        var behaviour = MlshTrainer.EpsilonMixtureLogProb(-1000f, 0.1f, 8);
        behaviour.Should().BeApproximately(MathF.Log(0.1f / 8), 1e-6f);
        // The largest possible ratio, π_new = 1, is K / ε.
        MathF.Exp(0f - behaviour).Should().BeApproximately(80f, 1e-3f);
    }

    [Fact]
    public void EpsilonMixtureLogProb_WithEpsilonOne_IsUniform_WhateverThePolicy()
    {
        MlshTrainer.EpsilonMixtureLogProb(MathF.Log(0.99f), 1f, 4).Should().BeApproximately(MathF.Log(0.25f), 1e-6f);
    }
}

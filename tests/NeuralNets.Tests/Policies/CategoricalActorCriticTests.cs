using Mlsh.NeuralNets.Policies;

namespace Mlsh.NeuralNets.Tests.Policies;

public class CategoricalActorCriticTests
{
    [Fact]
    public void ActionLogProbabilities_AreTheLogSoftmaxOfTheLogits_AndAgreeWithAct()
    {
        var master = new CategoricalActorCritic(new ActorCriticOptions { ObservationSize = 3, ActionSize = 4, Seed = 2 });
        var noise = GradientCheck.RandomArray(master.Parameters.Length, 3, 0.5f);
        for (var i = 0; i < noise.Length; i++) master.Parameters[i] += noise[i];
        var obs = GradientCheck.RandomArray(2 * 3, 4);
        var all = new float[2 * 4];
        master.ActionLogProbabilities(obs, 2, all);
        for (var b = 0; b < 2; b++) all.Skip(b * 4).Take(4).Sum(x => Math.Exp(x)).Should().BeApproximately(1.0, 1e-5);
        int[] choice = new int[2];
        float[] logp = new float[2];
        master.Act(obs, 2, new SeededRandom(1), choice, logp, new float[2]);
        for (var b = 0; b < 2; b++) logp[b].Should().Be(all[b * 4 + choice[b]]);
    }
}

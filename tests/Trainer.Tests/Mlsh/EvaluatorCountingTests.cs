using Mlsh.Environments.Discrete;
using Mlsh.NeuralNets.Policies;
using Mlsh.Trainer.Mlsh;

namespace Mlsh.Trainer.Tests.Mlsh;

public class EvaluatorCountingTests
{
    /// <summary>Every episode end per instance, in order.</summary>
    private sealed class Outcomes : IEvalObserver
    {
        public readonly Dictionary<int, List<bool>> ByInstance = [];
        public readonly Dictionary<int, List<int>> Lengths = [];
        private readonly Dictionary<int, int> _steps = [];
        public void OnStep(int instance, float x, float y, int skill, bool masterTick) => _steps[instance] = _steps.GetValueOrDefault(instance) + 1;
        public void OnEpisodeEnd(int instance, bool succeeded)
        {
            if (!ByInstance.TryGetValue(instance, out var list)) ByInstance[instance] = list = [];
            list.Add(succeeded);
            if (!Lengths.TryGetValue(instance, out var lengths)) Lengths[instance] = lengths = [];
            lengths.Add(_steps[instance]);
            _steps[instance] = 0;
        }
    }

    [Fact]
    public void Run_CountsEachInstancesFirstEpisodes_NotTheFirstToFinish_SoShortSuccessesAreNotOverSampled()
    {
        // A random walk in FourRooms: reaching the goal ends an episode early, missing it runs to the time limit, so
        // successes finish first. The evaluation must still count a fixed set of episodes: the first 3 of each of
        // the 4 instances. Task 6 starts three cells from its goal.
        var family = new FourRoomsTaskFamily(new FourRoomsOptions(EpisodeSteps: 2000));
        using var probe = family.CreateVectorEnv(1);
        var policy = new CategoricalActorCritic(new ActorCriticOptions { ObservationSize = probe.ObservationSize, ActionSize = probe.ActionSpace.Size, HiddenSizes = [8], Seed = 2 });
        var outcomes = new Outcomes();

        var result = Evaluator.Run(family, 6, [policy], null, 1, episodes: 12, seed: 5, stochastic: true, parallel: 4, observer: outcomes);

        result.Episodes.Should().Be(12);
        outcomes.ByInstance.Keys.Should().BeEquivalentTo([0, 1, 2, 3]);
        var expected = outcomes.ByInstance.Values.Sum(list => list.Take(3).Count(s => s)) / 12.0;
        result.SuccessRate.Should().Be(expected);
        result.MeanSteps.Should().Be(outcomes.Lengths.Values.Sum(list => list.Take(3).Sum()) / 12.0);
        var firstToFinish = outcomes.Lengths.Values.SelectMany(l => l.Select((n, i) => (End: l.Take(i + 1).Sum(), Length: n)))
            .OrderBy(x => x.End).Take(12).Average(x => x.Length);
        result.MeanSteps.Should().NotBe(firstToFinish, "the first 12 episodes to finish are a shorter (biased) sample");
        outcomes.ByInstance.Values.Should().Contain(list => list.Count > 3, "some instance finished more than its share while others were still running");
        outcomes.ByInstance.Values.SelectMany(l => l.Take(3)).Should().Contain(true).And.Contain(false, "the test needs both outcomes to mean something");
    }
}

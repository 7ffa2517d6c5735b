using Mlsh.Core;
using Mlsh.Environments.Demo;
using Mlsh.Environments.Tasks;

namespace Mlsh.Environments.Tests.Demo;

public class ScriptedMazeRunTests
{
    [Fact]
    public void Run_TrotsTheQuadrupedToTheGoalOfAStraightCorridor()
    {
        var r = ScriptedMazeRun.Run(Path.Combine(MlshPaths.Layouts, "train", "corridor-east.yaml"));
        r.End.Should().Be(EpisodeEnd.Success);
        r.FinalPathDistance.Should().BeLessThan(r.StartPathDistance);
        r.PhysicsSteps.Should().Be(r.Steps * 10L);
        r.Divergences.Should().Be(0);
    }
}

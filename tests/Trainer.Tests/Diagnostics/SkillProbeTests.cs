using Mlsh.Core;
using Mlsh.Environments.Tasks;
using Mlsh.NeuralNets.Policies;
using Mlsh.Trainer.Diagnostics;

namespace Mlsh.Trainer.Tests.Diagnostics;

public class SkillProbeTests
{
    internal static readonly string Arena = Path.Combine(MlshPaths.Layouts, "probe", "open-arena.yaml");

    /// <summary>A point-mass sub-policy whose most probable action is (ax, ay) whatever it observes: a constant
    /// velocity command, so the direction it walks is known in advance.</summary>
    internal static GaussianActorCritic ConstantVelocity(int observationSize, float ax, float ay)
    {
        var p = new GaussianActorCritic(new ActorCriticOptions { ObservationSize = observationSize, ActionSize = 2, HiddenSizes = [8], Seed = 3 });
        var last = p.PolicyNetwork.Layers[^1];
        p.Parameters.Slice(last.WeightOffset, last.InputSize * last.OutputSize).Clear();
        p.Parameters[last.BiasOffset] = ax;
        p.Parameters[last.BiasOffset + 1] = ay;
        return p;
    }

    [Fact]
    public void Run_ReportsEachSubpolicysWalkingDirection_InTheWorldFrame()
    {
        using var family = MazeTaskFamily.Create("pointmass", [Arena]);
        using var env = family.CreateVectorEnv(1);
        var obs = env.ObservationSize;
        ActorCritic[] subs = [ConstantVelocity(obs, 0.5f, 0), ConstantVelocity(obs, 0, 0.5f), ConstantVelocity(obs, -0.5f, 0), ConstantVelocity(obs, 0, -0.5f)];

        var results = SkillProbe.Run(family, 0, subs, macroSteps: 10, macrosPerEpisode: 4, episodes: 3, seed: 5);

        results.Should().HaveCount(4);
        double[] expected = [0, 90, 180, -90];
        for (var k = 0; k < 4; k++)
        {
            var r = results[k];
            r.Subpolicy.Should().Be(k);
            r.MacroSteps.Should().Be(12, "3 episodes × 4 macro steps, none cut short in the open arena");
            r.Falls.Should().Be(0);
            var error = Math.Abs(Math.IEEERemainder(r.HeadingDegrees - expected[k], 360));
            error.Should().BeLessThan(10, $"sub-policy {k} commands a constant velocity towards {expected[k]}°, measured {r.HeadingDegrees:F1}°");
            r.Consistency.Should().BeGreaterThan(0.95);
            r.MeanDistance.Should().BeGreaterThan(0.1, "0.75 m/s for 10 steps of 0.05 s moves the ball well over a decimetre");
            r.Paths.Should().HaveCount(3);
            foreach (var path in r.Paths) path.Should().HaveCount(5).And.StartWith((0f, 0f));
        }
    }

    [Fact]
    public void Run_ReportsTheBodyFrameToo_WhichForARobotThatNeverTurnsIsTheWorldFrame()
    {
        using var family = MazeTaskFamily.Create("pointmass", [Arena]);
        using var env = family.CreateVectorEnv(1);
        ActorCritic[] subs = [ConstantVelocity(env.ObservationSize, 0, 0.5f), ConstantVelocity(env.ObservationSize, -0.5f, 0)];

        var results = SkillProbe.Run(family, 0, subs, macroSteps: 10, macrosPerEpisode: 3, episodes: 2, seed: 5);

        foreach (var r in results)
        {
            r.MeanForward.Should().BeApproximately(r.MeanDx, 1e-6, "the point mass always faces east, so forward is +x");
            r.MeanLeft.Should().BeApproximately(r.MeanDy, 1e-6);
            r.BodyConsistency.Should().BeApproximately(r.Consistency, 1e-6);
            r.MeanTurnDegrees.Should().Be(0);
        }
        results[0].BodyHeadingDegrees.Should().BeApproximately(90, 10, "north is to the left of an east-facing body");
    }

    [Fact]
    public void Run_GivesEverySubpolicyTheSameStartStates()
    {
        using var family = MazeTaskFamily.Create("pointmass", [Arena]);
        using var env = family.CreateVectorEnv(1);
        var east = ConstantVelocity(env.ObservationSize, 0.5f, 0);

        var results = SkillProbe.Run(family, 0, [east, east], macroSteps: 5, macrosPerEpisode: 2, episodes: 2, seed: 9);

        results[0].Paths.Should().BeEquivalentTo(results[1].Paths, o => o.WithStrictOrdering(), "the same sub-policy from the same start states walks the same paths");
        results[0].MeanDx.Should().Be(results[1].MeanDx);
    }

    [Fact]
    public void Run_RejectsSubpolicies_ThatDoNotFitTheFamily()
    {
        using var family = MazeTaskFamily.Create("pointmass", [Arena]);
        var wrong = ConstantVelocity(5, 1, 0);

        var act = () => SkillProbe.Run(family, 0, [wrong], 10, 1, 1, 1);

        act.Should().Throw<ArgumentException>().WithMessage("*take 5 observations*");
    }

    [Fact]
    public void Svg_DrawsEveryPathAndALegendLinePerSubpolicy()
    {
        using var family = MazeTaskFamily.Create("pointmass", [Arena]);
        using var env = family.CreateVectorEnv(1);
        var obs = env.ObservationSize;
        var results = SkillProbe.Run(family, 0, [ConstantVelocity(obs, 0.5f, 0), ConstantVelocity(obs, 0, 0.5f)], 10, 3, 2, 1);

        var svg = SkillProbeSvg.Render("probe <test>", results);

        var doc = System.Xml.Linq.XDocument.Parse(svg);
        XNames(doc, "polyline").Should().Be(4, "2 sub-policies × 2 episodes");
        svg.Should().Contain("sub-policy 0: 0°").And.Contain("sub-policy 1: 90°").And.Contain("probe &lt;test&gt;");
    }

    private static int XNames(System.Xml.Linq.XDocument doc, string name) => doc.Descendants().Count(e => e.Name.LocalName == name);
}

using Mlsh.Hil.Trajectories;

namespace Mlsh.Hil.Tests.Trajectories;

public class TrajectoryTests
{
    [Fact]
    public void SkillRuns_SplitAtSkillChanges_AndShareTheBoundarySample()
    {
        var t = new Trajectory();
        int[] skills = [-1, 0, 0, 1, 1, 1, 0];
        for (var i = 0; i < skills.Length; i++) t.Add(i * 0.02, i, 0, skills[i]);
        t.SkillRuns().Should().Equal((0, 0, -1), (0, 2, 0), (2, 5, 1), (5, 6, 0));
        t.SkillSequence().Should().Equal(-1, 0, 1, 0);
    }

    [Fact]
    public void SkillRuns_IsEmpty_ForAnEmptyTrajectory() => new Trajectory().SkillRuns().Should().BeEmpty();
}

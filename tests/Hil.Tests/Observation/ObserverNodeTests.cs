using Mlsh.Hil.Observation;

namespace Mlsh.Hil.Tests.Observation;

public class ObserverNodeTests
{
    [Theory]
    [InlineData("sub_policy_2", 2)]
    [InlineData("3", 3)]
    [InlineData("skill 11: turn-left", 11)]
    [InlineData("", -1)]
    [InlineData("safe", -1)]
    public void ParseSkill_ReadsTheSubPolicyIndex(string text, int expected) => ObserverNode.ParseSkill(text).Should().Be(expected);

    [Theory]
    [InlineData("Safe", true)]
    [InlineData("safe", true)]
    [InlineData("Policy", false)]
    [InlineData(null, false)]
    public void IsSafe_IgnoresLetterCase(string? mode, bool expected) => ObserverNode.IsSafe(mode).Should().Be(expected);
}

using Mlsh.Core.Configuration;
using Mlsh.Environments.Tasks;

namespace Mlsh.Environments.Tests.Tasks;

public class MazeTaskOptionsTests
{
    [Fact]
    public void Parse_ReadsSnakeCaseKeys_AndKeepsDefaultsForTheRest()
    {
        var o = MazeTaskOptions.Parse("success_bonus: 5\ntime_limit: 12\n", "task.yaml");
        o.SuccessBonus.Should().Be(5);
        o.TimeLimit.Should().Be(12);
        o.ProgressReward.Should().Be(MazeTaskOptions.Default.ProgressReward);
    }

    [Fact]
    public void Parse_RejectsAnUnknownKey()
    {
        var act = () => MazeTaskOptions.Parse("succes_bonus: 5\n", "task.yaml");
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain("task.yaml").And.Contain("unknown key 'succes_bonus'").And.Contain("success_bonus");
    }

    [Fact]
    public void Parse_RejectsANonPositiveTimeLimit()
    {
        var act = () => MazeTaskOptions.Parse("time_limit: 0\n", "task.yaml");
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain("'time_limit' must be a positive number");
    }

    [Fact]
    public void Validate_RejectsANonFiniteReward()
    {
        var act = () => MazeTaskOptions.Validate(new MazeTaskOptions { SuccessBonus = double.NaN });
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain("'success_bonus'");
    }

    [Fact]
    public void Parse_ReadsTheStartHeadingSpread_AndRejectsMoreThanAHalfTurn()
    {
        MazeTaskOptions.Parse("start_heading_spread: 90\n", "task.yaml").StartHeadingSpread.Should().Be(90);
        var act = () => MazeTaskOptions.Parse("start_heading_spread: 200\n", "task.yaml");
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain("'start_heading_spread' must be in [0, 180]");
    }
}

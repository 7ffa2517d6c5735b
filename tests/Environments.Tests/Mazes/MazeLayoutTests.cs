using Mlsh.Core;
using Mlsh.Core.Configuration;
using Mlsh.Environments.Mazes;

namespace Mlsh.Environments.Tests.Mazes;

public class MazeLayoutTests
{
    private const string Source = "layouts/test/bad.yaml";

    private static string Yaml(params string[] grid) =>
        "name: t\ncell_size: 2.0\ngrid: |\n" + string.Concat(grid.Select(g => "  " + g + "\n"));

    private static ConfigException Rejects(string yaml)
    {
        var act = () => MazeLayout.Parse(yaml, Source);
        return act.Should().Throw<ConfigException>().Which;
    }

    [Fact]
    public void Parse_ReadsTheIssueExample_WithStartGoalAndWalls()
    {
        var m = MazeLayout.Parse(Yaml("#####", "#S..#", "###.#", "#G..#", "#####"), Source);
        m.Name.Should().Be("t");
        m.CellSize.Should().Be(2.0);
        m.Rows.Should().Be(5);
        m.Columns.Should().Be(5);
        m.Start.Should().Be(new Cell(1, 1));
        m.Goal.Should().Be(new Cell(3, 1));
        m.IsWall(2, 1).Should().BeTrue();
        m.IsWall(1, 2).Should().BeFalse();
        m.TimeLimit.Should().Be(MazeLayout.DefaultTimeLimit);
        m.GoalRadius.Should().BeApproximately(0.6, 1e-12);
    }

    [Fact]
    public void Parse_ReadsOptionalKeys()
    {
        var m = MazeLayout.Parse("name: t\ncell_size: 2\ntime_limit: 12.5\ngoal_radius: 0.5\nwall_height: 0.8\ngrid: |\n  ###\n  #S#\n  #G#\n  ###\n", Source);
        m.TimeLimit.Should().Be(12.5);
        m.GoalRadius.Should().Be(0.5);
        m.WallHeight.Should().Be(0.8);
    }

    [Fact]
    public void Parse_RejectsRaggedRow_NamingFileRowAndColumn()
    {
        var e = Rejects(Yaml("#####", "#S..#", "###.", "#G..#", "#####"));
        e.Message.Should().Contain(Source).And.Contain("row 3, column 5").And.Contain("ragged");
    }

    [Fact]
    public void Parse_RejectsUnknownCharacter_NamingFileRowAndColumn()
    {
        var e = Rejects(Yaml("#####", "#S.x#", "###.#", "#G..#", "#####"));
        e.Message.Should().Contain(Source).And.Contain("row 2, column 4").And.Contain("unknown character 'x'");
    }

    [Fact]
    public void Parse_RejectsStartInTheOuterWall_NamingFileRowAndColumn()
    {
        var e = Rejects(Yaml("#S###", "#...#", "###.#", "#G..#", "#####"));
        e.Message.Should().Contain(Source).And.Contain("row 1, column 2").And.Contain("start 'S' is in the outer wall");
    }

    [Fact]
    public void Parse_RejectsGoalInTheOuterWall_NamingFileRowAndColumn()
    {
        var e = Rejects(Yaml("#####", "#S..#", "###.#", "G...#", "#####"));
        e.Message.Should().Contain(Source).And.Contain("row 4, column 1").And.Contain("goal 'G' is in the outer wall");
    }

    [Fact]
    public void Parse_RejectsUnreachableGoal_NamingFileRowAndColumnOfTheGoal()
    {
        var e = Rejects(Yaml("#####", "#S..#", "#####", "#G..#", "#####"));
        e.Message.Should().Contain(Source).And.Contain("row 4, column 2").And.Contain("unreachable goal");
    }

    [Fact]
    public void Parse_RejectsOpenBorder_NamingFileRowAndColumn()
    {
        var e = Rejects(Yaml("#####", "#S...", "###.#", "#G..#", "#####"));
        e.Message.Should().Contain(Source).And.Contain("row 2, column 5").And.Contain("open border");
    }

    [Fact]
    public void Parse_RejectsMissingStart()
    {
        var e = Rejects(Yaml("#####", "#...#", "###.#", "#G..#", "#####"));
        e.Message.Should().Contain(Source).And.Contain("no start 'S'");
    }

    [Fact]
    public void Parse_RejectsMissingGoal()
    {
        var e = Rejects(Yaml("#####", "#S..#", "###.#", "#...#", "#####"));
        e.Message.Should().Contain(Source).And.Contain("no goal 'G'");
    }

    [Fact]
    public void Parse_RejectsDuplicateStart_NamingTheSecondOne()
    {
        var e = Rejects(Yaml("#####", "#S..#", "###.#", "#G.S#", "#####"));
        e.Message.Should().Contain(Source).And.Contain("row 4, column 4").And.Contain("second start");
    }

    [Fact]
    public void Parse_RejectsDuplicateGoal_NamingTheSecondOne()
    {
        var e = Rejects(Yaml("#####", "#SG.#", "###.#", "#G..#", "#####"));
        e.Message.Should().Contain(Source).And.Contain("row 4, column 2").And.Contain("second goal");
    }

    [Theory]
    [InlineData("cell_size: 2\ngrid: |\n  ###\n  #S#\n  #G#\n  ###\n", "'name'")]
    [InlineData("name: t\ngrid: |\n  ###\n  #S#\n  #G#\n  ###\n", "'cell_size'")]
    [InlineData("name: t\ncell_size: 2\n", "'grid'")]
    public void Parse_RejectsMissingKey_NamingIt(string yaml, string key)
    {
        Rejects(yaml).Message.Should().Contain(Source).And.Contain("missing key").And.Contain(key);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1.5")]
    [InlineData(".nan")]
    public void Parse_RejectsNonPositiveCellSize(string value)
    {
        var e = Rejects($"name: t\ncell_size: {value}\ngrid: |\n  ###\n  #S#\n  #G#\n  ###\n");
        e.Message.Should().Contain(Source).And.Contain("'cell_size' must be a positive number");
    }

    [Fact]
    public void Parse_RejectsNonNumericCellSize()
    {
        Rejects("name: t\ncell_size: wide\ngrid: |\n  ###\n  #S#\n  #G#\n  ###\n").Message.Should().Contain(Source).And.Contain("line 2");
    }

    [Fact]
    public void Parse_RejectsUnknownKey_ListingTheAllowedOnes()
    {
        var e = Rejects("name: t\ncell_size: 2\ntimelimit: 3\ngrid: |\n  ###\n  #S#\n  #G#\n  ###\n");
        e.Message.Should().Contain(Source).And.Contain("unknown key 'timelimit'").And.Contain("time_limit");
    }

    [Fact]
    public void Parse_RejectsGoalRadiusLargerThanHalfACell()
    {
        var e = Rejects("name: t\ncell_size: 2\ngoal_radius: 1.5\ngrid: |\n  ###\n  #S#\n  #G#\n  ###\n");
        e.Message.Should().Contain("'goal_radius'");
    }

    [Fact]
    public void Load_NamesTheFileOnDisk()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mlsh-layout-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, Yaml("#####", "#S..#", "###.#", "#G.?#", "#####"));
        try
        {
            var act = () => MazeLayout.Load(path);
            act.Should().Throw<ConfigException>().Which.Message.Should().StartWith(path).And.Contain("row 4, column 4");
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static TheoryData<string> ShippedLayouts()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(MlshPaths.Layouts, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(MlshPaths.Layouts, f));
        return data;
    }

    [Theory]
    [MemberData(nameof(ShippedLayouts))]
    public void ShippedLayout_LoadsAndItsGoalIsReachable(string relative)
    {
        var m = MazeLayout.Load(Path.Combine(MlshPaths.Layouts, relative));
        m.Distances[m.Start].Should().BeGreaterThan(0);
        Path.GetFileNameWithoutExtension(relative).Should().Be(m.Name);
    }

    [Fact]
    public void ShippedLayouts_HaveFourteenTrainingAndAtLeastThreeHeldOut()
    {
        Directory.GetFiles(Path.Combine(MlshPaths.Layouts, "train"), "*.yaml").Should().HaveCount(14);
        Directory.GetFiles(Path.Combine(MlshPaths.Layouts, "heldout"), "*.yaml").Length.Should().BeGreaterThanOrEqualTo(3);
    }

    [Fact]
    public void TrainingLayouts_NeedEveryCompassDirection_AtLeastFiveTimes()
    {
        // Skills only form for directions the task distribution asks for: stage 1's east/north-heavy set
        // produced no south or west sub-policy. Count, per direction, the layouts whose shortest path uses it.
        var uses = new Dictionary<string, int> { ["east"] = 0, ["north"] = 0, ["south"] = 0, ["west"] = 0 };
        foreach (var f in Directory.GetFiles(Path.Combine(MlshPaths.Layouts, "train"), "*.yaml"))
        {
            var m = MazeLayout.Load(f);
            var seen = new HashSet<string>();
            var c = m.Start;
            while (c != m.Goal)
            {
                var (next, dir) = new[] { (new Cell(c.Row, c.Column + 1), "east"), (new Cell(c.Row - 1, c.Column), "north"),
                        (new Cell(c.Row + 1, c.Column), "south"), (new Cell(c.Row, c.Column - 1), "west") }
                    .Where(n => !m.IsWall(n.Item1))
                    .MinBy(n => m.Distances[n.Item1]);
                m.Distances[next].Should().BeLessThan(m.Distances[c], $"{m.Name}: the distance field descends along the path");
                seen.Add(dir);
                c = next;
            }
            foreach (var d in seen) uses[d]++;
        }
        uses.Values.Should().OnlyContain(n => n >= 5, $"every direction should be needed by several layouts: {string.Join(", ", uses.Select(u => $"{u.Key} {u.Value}"))}");
    }
}

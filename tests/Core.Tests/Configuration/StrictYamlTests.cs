using Mlsh.Core.Configuration;

namespace Mlsh.Core.Tests.Configuration;

public sealed class StrictYamlTests
{
    public sealed class Inner
    {
        public double LearningRate { get; set; }
    }

    public sealed class Sample
    {
        public string Name { get; set; } = "";
        public int Iterations { get; set; }
        public Inner Master { get; set; } = new();
    }

    [Fact]
    public void Parse_ReadsSnakeCaseKeys_IntoNestedRecords()
    {
        var s = StrictYaml.Parse<Sample>("name: x\niterations: 3\nmaster:\n  learning_rate: 0.01\n");
        s.Name.Should().Be("x");
        s.Iterations.Should().Be(3);
        s.Master.LearningRate.Should().Be(0.01);
    }

    [Fact]
    public void Parse_RejectsUnknownKey_NamingFileLineKeyAndAllowedKeys()
    {
        var act = () => StrictYaml.Parse<Sample>("name: x\niteratoins: 3\n", "configs/a.yaml");
        act.Should().Throw<ConfigException>()
           .Which.Message.Should().Contain("configs/a.yaml").And.Contain("line 2")
           .And.Contain("'iteratoins'").And.Contain("iterations, master, name");
    }

    [Fact]
    public void Parse_RejectsUnknownNestedKey_ListingTheNestedTypesKeys()
    {
        var act = () => StrictYaml.Parse<Sample>("master:\n  lr: 0.01\n", "c.yaml");
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain("'lr'").And.Contain("learning_rate");
    }

    [Fact]
    public void Parse_RejectsValueOfTheWrongType_WithItsPosition()
    {
        var act = () => StrictYaml.Parse<Sample>("iterations: many\n", "c.yaml");
        act.Should().Throw<ConfigException>().Which.Message.Should().StartWith("c.yaml: line 1");
    }

    [Fact]
    public void LoadFile_NamesTheMissingFile()
    {
        var act = () => StrictYaml.LoadFile<Sample>("/nonexistent/mlsh.yaml");
        act.Should().Throw<ConfigException>().Which.Message.Should().Be("/nonexistent/mlsh.yaml: file not found");
    }
}

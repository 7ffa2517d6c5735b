using Mlsh.Core.Launch;

namespace Mlsh.Core.Tests.Launch;

public sealed class SubstitutionsTests
{
    private sealed class Context : ISubstitutionContext
    {
        public Dictionary<string, string> Vars { get; } = new() { ["robot"] = "quadruped", ["pkg"] = "mlsh_bringup", ["x"] = "a b" };
        public Dictionary<string, string> Env { get; } = new() { ["HOME"] = "/home/robot" };
        public string CurrentFile => "/share/launch/demo.launch.yaml";
        public bool TryGetConfiguration(string name, out string value) => Vars.TryGetValue(name, out value!);
        public string? GetEnvironmentVariable(string name) => Env.GetValueOrDefault(name);
        public string? FindPackageShare(string package) => package == "mlsh_bringup" ? "/repo" : null;
    }

    private readonly Context _ctx = new();

    [Theory]
    [InlineData("models/$(var robot)", "models/quadruped")]
    [InlineData("$(env HOME)/x", "/home/robot/x")]
    [InlineData("$(env MISSING fallback)", "fallback")]
    [InlineData("[$(optenv MISSING)]", "[]")]
    [InlineData("$(optenv MISSING 'two words')", "two words")]
    [InlineData("$(find-pkg-share mlsh_bringup)/launch", "/repo/launch")]
    [InlineData("$(find-pkg-share $(var pkg))", "/repo")]
    [InlineData("$(dirname)/params/sim.yaml", "/share/launch/params/sim.yaml")]
    [InlineData("$(filename)", "demo.launch.yaml")]
    [InlineData("no substitution", "no substitution")]
    public void Evaluate_ResolvesEachSupportedSubstitution(string text, string expected) =>
        Substitutions.Evaluate(text, _ctx).Should().Be(expected);

    [Theory]
    [InlineData("$(var nope)", "no launch argument or let named 'nope'")]
    [InlineData("$(env MISSING)", "environment variable MISSING is not set")]
    [InlineData("$(find-pkg-share nav2_bringup)", "package 'nav2_bringup' is not available without ROS 2")]
    [InlineData("$(eval 1+1)", "unsupported substitution '$(eval ...)'")]
    [InlineData("$(var robot", "unterminated")]
    [InlineData("$(var a b)", "takes 1 argument, got 2")]
    public void Evaluate_RejectsBadSubstitution_WithActionableMessage(string text, string fragment) =>
        FluentActions.Invoking(() => Substitutions.Evaluate(text, _ctx))
            .Should().Throw<SubstitutionException>().Which.Message.Should().Contain(fragment);

    [Fact]
    public void SplitCommandLine_SplitsOnSpacesButKeepsQuotedWordsAndSubstitutionValuesWhole() =>
        Substitutions.SplitCommandLine("echo 'hello world' --robot=$(var robot) $(var x) \"q r\" a\\ b", _ctx)
            .Should().Equal("echo", "hello world", "--robot=quadruped", "a b", "q r", "a b");

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("1", true)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    public void ParseCondition_AcceptsRosBooleans(string text, bool expected) =>
        Substitutions.ParseCondition(text).Should().Be(expected);

    [Fact]
    public void ParseCondition_RejectsNonBoolean() =>
        FluentActions.Invoking(() => Substitutions.ParseCondition("yes"))
            .Should().Throw<SubstitutionException>().WithMessage("*'yes' is not a boolean*");
}

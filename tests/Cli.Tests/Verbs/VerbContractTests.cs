using System.CommandLine;
using Mlsh.Cli.Verbs;

namespace Mlsh.Cli.Tests.Verbs;

/// <summary>The verbs and benchmarks named in the issues are a contract other tools call.</summary>
public sealed class VerbContractTests
{
    private static RootCommand BuildRoot()
    {
        var root = new RootCommand();
        foreach (var t in typeof(IVerb).Assembly.GetTypes()
                     .Where(t => typeof(IVerb).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false }))
            root.Subcommands.Add(((IVerb)Activator.CreateInstance(t)!).Build());
        return root;
    }

    [Theory]
    [InlineData("demo")]
    [InlineData("train")]
    [InlineData("retune")]
    [InlineData("eval")]
    [InlineData("export")]
    [InlineData("sim")]
    [InlineData("run")]
    [InlineData("launch")]
    [InlineData("hil")]
    [InlineData("topic")]
    [InlineData("bench")]
    public void ContractVerb_IsRegistered_WithADescription(string verb)
    {
        var cmd = BuildRoot().Subcommands.SingleOrDefault(c => c.Name == verb);
        cmd.Should().NotBeNull($"`./mlsh {verb}` is named in the issues");
        cmd!.Description.Should().NotBeNullOrWhiteSpace();
    }

    [Theory]
    [InlineData("sim")]
    [InlineData("nn")]
    [InlineData("train")]
    [InlineData("infer")]
    [InlineData("dds")]
    [InlineData("runtime")]
    public void Benchmark_IsRegistered_AndTakesJson(string bench)
    {
        var cmd = new BenchVerb().Build().Subcommands.SingleOrDefault(c => c.Name == bench);
        cmd.Should().NotBeNull($"`./mlsh bench {bench} --json` is named in the issues");
        cmd!.Options.Select(o => o.Name).Should().Contain("--json");
    }

    [Fact]
    public void EveryVerb_ParsesHelp_WithoutErrors()
    {
        var root = BuildRoot();
        foreach (var cmd in root.Subcommands)
            root.Parse([cmd.Name, "--help"]).Errors.Should().BeEmpty($"`{cmd.Name} --help` must parse");
    }
}

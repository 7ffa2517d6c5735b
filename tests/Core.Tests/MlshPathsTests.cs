using Mlsh.Core;
using Mlsh.Core.Configuration;
using Xunit;

namespace Mlsh.Core.Tests;

public sealed class MlshPathsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-paths-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void RootIsTheFirstAncestorHoldingTheSolution()
    {
        File.WriteAllText(Path.Combine(_dir, "Mlsh.sln"), "");
        var nested = Directory.CreateDirectory(Path.Combine(_dir, "a", "b")).FullName;
        Assert.Equal(_dir, MlshPaths.FindRoot(null, [nested]));
    }

    [Fact]
    public void NoSolutionAnywhereIsAOneLineConfigErrorNamingMlshRoot()
    {
        var e = Assert.Throws<ConfigException>(() => MlshPaths.FindRoot(null, [_dir]));
        Assert.Contains("MLSH_ROOT", e.Message);
    }

    [Fact]
    public void AnMlshRootWithoutTheSolutionIsRejectedRatherThanSearchedPast()
    {
        File.WriteAllText(Path.Combine(_dir, "Mlsh.sln"), "");
        var empty = Directory.CreateDirectory(Path.Combine(_dir, "empty")).FullName;
        var e = Assert.Throws<ConfigException>(() => MlshPaths.FindRoot(empty, [_dir]));
        Assert.Contains(empty, e.Message);
    }
}

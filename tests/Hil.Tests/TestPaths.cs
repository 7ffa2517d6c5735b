using Mlsh.Core;

namespace Mlsh.Hil.Tests;

internal static class TestPaths
{
    public static string Root => MlshPaths.Root;
    public static string Maze01 => Path.Combine(Root, "layouts", "train", "maze-01.yaml");
}

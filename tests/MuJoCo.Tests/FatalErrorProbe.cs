namespace Mlsh.MuJoCo.Tests;

/// <summary>
/// Entry point of the test assembly when run as a program (<c>dotnet exec Mlsh.MuJoCo.Tests.dll --mujoco-fatal-error-probe</c>):
/// drives MuJoCo into mju_error in a child process, which the fatal-error test observes from outside.
/// The test runner loads this assembly as a library and never calls Main.
/// </summary>
public static class FatalErrorProbe
{
    public const string Argument = "--mujoco-fatal-error-probe";

    /// <summary>
    /// 200 mjtNums of mjData stack pass compilation (the box starts in the air) but not the first contact
    /// steps (about 300 needed): mj_stackAlloc then calls mju_error("Stack overflow").
    /// </summary>
    public static readonly string TinyStackModel = TestModels.FreeBody.Replace(
        "<option timestep=\"0.005\"/>", "<option timestep=\"0.005\"/><size nstack=\"200\"/>");

    public static int Main(string[] args)
    {
        if (args.Length != 1 || args[0] != Argument) return 64;
        using var model = MjModel.FromXmlString(TinyStackModel);
        using var data = model.CreateData();
        data.Step(400);
        Console.WriteLine("survived mju_error");
        return 0;
    }
}

using Mlsh.Core;

namespace Mlsh.Cli.Tests.Verbs;

/// <summary>A damaged network file given to eval or retune is the user's to fix: one line naming the file, exit 2,
/// no stack trace. Run as a separate process, like the user runs `./mlsh`.</summary>
public sealed class DamagedPolicyFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-damaged-policy-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The shipped point-mass hierarchy with one sub-policy file cut short.</summary>
    private string DamagedModels()
    {
        var models = Path.Combine(_dir, "models");
        Directory.CreateDirectory(models);
        foreach (var f in Directory.GetFiles(Path.Combine(MlshPaths.Models, "pointmass")))
            File.Copy(f, Path.Combine(models, Path.GetFileName(f)));
        var sub = Path.Combine(models, "subpolicy-0.bin");
        var bytes = File.ReadAllBytes(sub);
        File.WriteAllBytes(sub, bytes[..(bytes.Length / 2)]);
        return models;
    }

    [Fact]
    public async Task Eval_WithATruncatedSubPolicyFile_IsOneLineErrorNamingTheFile_Exit2()
    {
        var models = DamagedModels();
        var (code, stderr) = await RunCli("eval", "--models", models, "--layout", Path.Combine(MlshPaths.Layouts, "train", "corridor-east.yaml"), "--episodes", "1");
        code.Should().Be(2, stderr);
        stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().StartWith("error: policy file").And.Contain("subpolicy-0.bin");
    }

    [Fact]
    public async Task Retune_WithATruncatedSubPolicyFile_IsOneLineErrorNamingTheFile_Exit2()
    {
        var models = DamagedModels();
        var (code, stderr) = await RunCli("retune", "--subpolicies", models, "--layout", Path.Combine(MlshPaths.Layouts, "train", "corridor-east.yaml"),
            "--out", Path.Combine(_dir, "out"), "--iterations", "1", "--episodes", "1");
        code.Should().Be(2, stderr);
        stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().StartWith("error: policy file").And.Contain("subpolicy-0.bin");
    }

    private static async Task<(int Code, string Stderr)> RunCli(params string[] args)
    {
        var (code, _, stderr) = await CliProcess.Run(args);
        return (code, stderr);
    }
}

using System.Diagnostics;

namespace Mlsh.Trainer.Tests.Export;

/// <summary>Debian's python3-onnx checker, the independent validator of exported models.</summary>
internal static class OnnxChecker
{
    // /usr/bin/python3, not the first python3 on PATH: only Debian's interpreter has python3-onnx.
    private const string Python = "/usr/bin/python3";

    private const string Script = """
        import sys, onnx
        for path in sys.argv[1:]:
            onnx.checker.check_model(onnx.load(path), full_check=True)
            print("ok", path)
        """;

    public static (int ExitCode, string Output) Check(IEnumerable<string> paths)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(Script);
        foreach (var p in paths) psi.ArgumentList.Add(p);
        using var proc = Process.Start(psi)!;
        var stderr = proc.StandardError.ReadToEndAsync();
        var stdout = proc.StandardOutput.ReadToEnd();
        proc.WaitForExit();
        return (proc.ExitCode, stdout + stderr.Result);
    }
}

using System.Diagnostics;

namespace Mlsh.TestSupport;

/// <summary>Runs Debian's python3-onnx checker (the independent validator) on model files.</summary>
/// <remarks>DESIGN: one copy, compiled into every test project that checks exported models (linked from
/// their .csproj), so the validator invocation cannot drift between them.</remarks>
internal static class OnnxChecker
{
    // /usr/bin/python3, not the first python3 on PATH: only Debian's interpreter has python3-onnx.
    private const string Python = "/usr/bin/python3";

    private const string Script = """
        import sys, onnx
        for path in sys.argv[1:]:
            model = onnx.load(path)
            onnx.checker.check_model(model, full_check=True)
            print("ok", path, "ir", model.ir_version, "opset", model.opset_import[0].version)
        """;

    public static (int ExitCode, string Output) Check(params string[] paths)
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

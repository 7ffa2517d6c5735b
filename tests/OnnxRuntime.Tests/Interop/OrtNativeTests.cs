using Mlsh.OnnxRuntime.Interop;

namespace Mlsh.OnnxRuntime.Tests.Interop;

public class OrtNativeTests
{
    [Fact]
    public void ChooseLibrary_PrefersEnvironmentVariable_OverInstalledPath() =>
        OrtNative.ChooseLibrary("/opt/ort/libonnxruntime.so.1", _ => true).Should().Be(("/opt/ort/libonnxruntime.so.1", true));

    [Fact]
    public void ChooseLibrary_UsesInstalledPath_WhenVariableUnsetAndFileExists() =>
        OrtNative.ChooseLibrary(null, p => p == OrtNative.InstalledPath).Should().Be((OrtNative.InstalledPath, false));

    [Fact]
    public void ChooseLibrary_FallsBackToDefaultSearch_WhenNothingIsInstalled() =>
        OrtNative.ChooseLibrary("", _ => false).Should().Be(((string?)null, false));

    [Fact]
    public void LoadedLibrary_IsTheOneTheResolverChose()
    {
        _ = OrtEnvironment.Version; // forces the load through the resolver
        var expected = Environment.GetEnvironmentVariable(OrtNative.PathVariable) is { Length: > 0 } v ? v : OrtNative.InstalledPath;
        OrtEnvironment.LibraryPath.Should().StartWith(expected);
        File.ReadAllText("/proc/self/maps").Should().Contain(Path.GetFullPath(expected));
    }
}

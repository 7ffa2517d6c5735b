namespace Mlsh.Core.Tests.Launch;

/// <summary>A temp folder for launch files and node scripts, deleted with the test.</summary>
internal sealed class LaunchTestFiles : IDisposable
{
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), $"mlsh-launch-test-{Guid.NewGuid():N}");

    public LaunchTestFiles() => Directory.CreateDirectory(Dir);

    public string Write(string name, string content)
    {
        var path = Path.Combine(Dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content.ReplaceLineEndings("\n"));
        return path;
    }

    /// <summary>A /bin/sh script node, executable.</summary>
    public string Script(string name, string body)
    {
        var path = Write(name, "#!/bin/sh\n" + body + "\n");
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("launch tests need a POSIX system");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); }
        catch (IOException) { }
    }
}

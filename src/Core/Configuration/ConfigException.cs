namespace Mlsh.Core.Configuration;

/// <summary>
/// A configuration file (YAML config, layout, parameter file, manifest) is wrong. The message is one
/// line that names the file, where in it, what was found and what is allowed, so the user can fix it
/// without reading code.
/// </summary>
public sealed class ConfigException : Exception
{
    public string? File { get; }

    public ConfigException(string message, string? file = null, Exception? inner = null)
        : base(file is null ? message : $"{file}: {message}", inner) => File = file;
}

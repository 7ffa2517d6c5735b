using System.Globalization;
using Mlsh.Core.Configuration;

namespace Mlsh.Trainer.Configuration;

/// <summary>
/// Range and enum checks for typed configs that StrictYaml already parsed; each failure is a one-line
/// <see cref="ConfigException"/>: file, dotted key, value found, what is allowed.
/// </summary>
internal readonly struct ConfigValidator(string file)
{
    public void Fail(string key, string found, string allowed) =>
        throw new ConfigException($"key '{key}': got {found}; expected {allowed}", file);

    public void OneOf(string key, string value, params string[] allowed)
    {
        if (Array.IndexOf(allowed, value) < 0) Fail(key, $"'{value}'", $"one of: {string.Join(", ", allowed)}");
    }

    public void AtLeast(string key, int value, int min)
    {
        if (value < min) Fail(key, Str(value), $"an integer ≥ {Str(min)}");
    }

    public void InRange(string key, int value, int min, int max)
    {
        if (value < min || value > max) Fail(key, Str(value), $"an integer in [{Str(min)}, {Str(max)}]");
    }

    public void InRange(string key, float value, float min, float max)
    {
        if (!(value >= min && value <= max)) Fail(key, Str(value), $"a number in [{Str(min)}, {Str(max)}]");
    }

    private static string Str(IFormattable v) => v.ToString(null, CultureInfo.InvariantCulture);
}

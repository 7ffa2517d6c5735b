using System.CommandLine;

namespace Mlsh.Cli;

/// <summary>
/// One `./mlsh bench &lt;name&gt; [--json]`. Every benchmark measures Mlsh against a reference run in the
/// same invocation (a C loop, a native tool, a peer library) and, with --json, prints one JSON object
/// as its last line. Implementations are discovered like verbs: add a file under Benchmarks/.
/// </summary>
public interface IBench
{
    string Name { get; }
    string Description { get; }

    /// <summary>Extra options beyond --json (sizes, durations); may be empty.</summary>
    IEnumerable<Option> Options { get; }

    /// <returns>The process exit code.</returns>
    int Run(ParseResult parse, bool json);
}

using System.CommandLine;

namespace Mlsh.Cli;

/// <summary>
/// One `./mlsh &lt;verb&gt;`. Every non-abstract implementation in this assembly is found at start-up,
/// so adding a verb is adding a file under Verbs/.
/// </summary>
public interface IVerb
{
    Command Build();
}

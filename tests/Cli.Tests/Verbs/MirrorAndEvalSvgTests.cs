using System.Text.Json;
using System.Xml.Linq;
using Mlsh.Core;

namespace Mlsh.Cli.Tests.Verbs;

public sealed class MirrorAndEvalSvgTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-mirror-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Mirror_OnThePointMassSkills_WritesTheImagesAfterTheOriginals_AndRetuneAcceptsTheSet()
    {
        var mirrored = Path.Combine(_dir, "mirrored");
        var (code, stdout, stderr) = await CliProcess.Run("mirror", "--models", Path.Combine(MlshPaths.Models, "pointmass"),
            "--out", mirrored, "--subpolicies", "1,3", "--json");

        code.Should().Be(0, stderr);
        using (var json = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]))
        {
            json.RootElement.GetProperty("subpolicies").GetInt32().Should().Be(6);
            json.RootElement.GetProperty("mirror_of").EnumerateArray().Select(e => e.GetInt32()).Should().Equal(1, 3);
        }
        stdout.Should().Contain("sub-policy 4 = mirror image of sub-policy 1");

        // The point mass's mirror flips y: the image of a skill that walks at heading h walks at -h.
        (code, stdout, stderr) = await CliProcess.Run("skills", "--models", mirrored, "--macros", "3", "--episodes", "2", "--json");
        code.Should().Be(0, stderr);
        using (var json = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]))
        {
            var headings = json.RootElement.GetProperty("skills").EnumerateArray().Select(s => s.GetProperty("heading_deg").GetDouble()).ToArray();
            headings.Should().HaveCount(6);
            Math.Abs(Math.IEEERemainder(headings[4] + headings[1], 360)).Should().BeLessThan(15);
            Math.Abs(Math.IEEERemainder(headings[5] + headings[3], 360)).Should().BeLessThan(15);
        }

        var retuned = Path.Combine(_dir, "retuned");
        (code, _, stderr) = await CliProcess.Run("retune", "--subpolicies", mirrored, "--layout", Path.Combine(MlshPaths.Layouts, "train", "corridor-east.yaml"),
            "--out", retuned, "--iterations", "1", "--episodes", "1");
        code.Should().Be(0, stderr);
        File.Exists(Path.Combine(retuned, "sub_policy_5.onnx")).Should().BeTrue();
    }

    [Fact]
    public async Task Mirror_WithABadIndex_IsAOneLineError_Exit2()
    {
        var (code, _, stderr) = await CliProcess.Run("mirror", "--models", Path.Combine(MlshPaths.Models, "pointmass"), "--out", Path.Combine(_dir, "x"), "--subpolicies", "1,nine");

        code.Should().Be(2);
        stderr.Trim().Should().Be("error: --subpolicies: 'nine' is not a sub-policy index; expected e.g. 0,2");
        Directory.Exists(Path.Combine(_dir, "x")).Should().BeFalse();
    }

    [Fact]
    public async Task Eval_WithSvg_DrawsOnePathPerInstance_OnTheMaze()
    {
        var svg = Path.Combine(_dir, "eval.svg");
        var (code, stdout, stderr) = await CliProcess.Run("eval", "--models", Path.Combine(MlshPaths.Models, "pointmass"),
            "--layout", Path.Combine(MlshPaths.Layouts, "train", "corridor-east.yaml"), "--episodes", "3", "--svg", svg, "--json");

        code.Should().Be(0, stderr);
        JsonDocument.Parse(stdout.Trim().Split('\n')[^1]).RootElement.GetProperty("episodes").GetInt32().Should().Be(3);
        var doc = XDocument.Load(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        doc.Descendants(ns + "polyline").Should().NotBeEmpty();
        doc.Descendants(ns + "path").Count(e => (string?)e.Attribute("class") == "master-tick").Should().BeGreaterThanOrEqualTo(3, "every episode starts with a master tick");
        doc.Root!.Element(ns + "title")!.Value.Should().StartWith("corridor-east: 3 episodes");
    }
}

using System.Xml.Linq;
using Mlsh.Trainer.Diagnostics;

namespace Mlsh.Trainer.Tests.Diagnostics;

public sealed class SvgLineChartTests
{
    [Fact]
    public void Render_ProducesWellFormedSvgWithOnePolylinePerContiguousRunAndALegend()
    {
        var svg = SvgLineChart.Render("t <&>", "steps", "return",
        [
            new ChartSeries("a", [0, 1, 2, 3], [0, 1, double.NaN, 3]),
            new ChartSeries("b", [0, 1, 2, 3], [2, 2, 2, 2]),
        ]);
        var doc = XDocument.Parse(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        doc.Root!.Name.Should().Be(ns + "svg");
        doc.Descendants(ns + "polyline").Should().HaveCount(3, "series a is split by its NaN, series b is one line");
        doc.Descendants(ns + "text").Select(t => t.Value).Should().Contain(["a", "b", "t <&>"]);
    }

    [Theory]
    [InlineData(0, 1, 0.2)]
    [InlineData(0, 37, 10)]
    [InlineData(-3, 48, 10)]
    [InlineData(0.001, 0.0062, 0.001)]
    public void NiceRange_CoversTheDataWithRoundSteps(double min, double max, double step)
    {
        var (lo, hi, s) = SvgLineChart.NiceRange(min, max);
        s.Should().BeApproximately(step, step * 1e-9);
        lo.Should().BeLessThanOrEqualTo(min);
        hi.Should().BeGreaterThanOrEqualTo(max);
    }
}

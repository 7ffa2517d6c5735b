using System.Globalization;
using System.Text;
using Mlsh.Core.IO;

namespace Mlsh.Trainer.Diagnostics;

/// <summary>One named line of a chart; NaN values leave a gap.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>
/// Learning curves as standalone SVG files written by hand (no plotting library exists on these
/// machines): axes with rounded ticks, one polyline per series, a legend. Stateless and thread-safe.
/// </summary>
public static class SvgLineChart
{
    private const int Width = 720, Height = 400, Left = 70, Right = 160, Top = 40, Bottom = 50;
    internal static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

    /// <summary>Renders the chart as SVG text.</summary>
    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series)
    {
        double xMin = double.PositiveInfinity, xMax = double.NegativeInfinity, yMin = double.PositiveInfinity, yMax = double.NegativeInfinity;
        foreach (var s in series)
        {
            if (s.X.Count != s.Y.Count) throw new ArgumentException($"series '{s.Name}': {s.X.Count} x values but {s.Y.Count} y values", nameof(series));
            for (var i = 0; i < s.X.Count; i++)
            {
                if (!double.IsFinite(s.X[i]) || !double.IsFinite(s.Y[i])) continue;
                xMin = Math.Min(xMin, s.X[i]); xMax = Math.Max(xMax, s.X[i]);
                yMin = Math.Min(yMin, s.Y[i]); yMax = Math.Max(yMax, s.Y[i]);
            }
        }
        if (!double.IsFinite(xMin)) { xMin = 0; xMax = 1; yMin = 0; yMax = 1; }
        if (xMax - xMin < 1e-12) xMax = xMin + 1;
        if (yMax - yMin < 1e-12) { yMin -= 0.5; yMax += 0.5; }
        var (yLo, yHi, yStep) = NiceRange(yMin, yMax);
        var (xLo, xHi, xStep) = NiceRange(xMin, xMax);
        double plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        double Px(double x) => Left + (x - xLo) / (xHi - xLo) * plotW;
        double Py(double y) => Top + plotH - (y - yLo) / (yHi - yLo) * plotH;

        var sb = new StringBuilder();
        sb.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        sb.Append(Inv($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n"));
        sb.Append(Inv($"<text x=\"{Left + plotW / 2:0.#}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>\n"));
        for (var y = yLo; y <= yHi + yStep * 1e-6; y += yStep)
        {
            var py = Py(y);
            sb.Append(Inv($"<line x1=\"{Left}\" y1=\"{py:0.##}\" x2=\"{Left + plotW:0.##}\" y2=\"{py:0.##}\" stroke=\"#e0e0e0\"/>"));
            sb.Append(Inv($"<text x=\"{Left - 6}\" y=\"{py + 4:0.##}\" text-anchor=\"end\">{Tick(y, yStep)}</text>\n"));
        }
        for (var x = xLo; x <= xHi + xStep * 1e-6; x += xStep)
        {
            var px = Px(x);
            sb.Append(Inv($"<line x1=\"{px:0.##}\" y1=\"{Top}\" x2=\"{px:0.##}\" y2=\"{Top + plotH:0.##}\" stroke=\"#f0f0f0\"/>"));
            sb.Append(Inv($"<text x=\"{px:0.##}\" y=\"{Top + plotH + 18:0.##}\" text-anchor=\"middle\">{Tick(x, xStep)}</text>\n"));
        }
        sb.Append(Inv($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotW:0.##}\" height=\"{plotH:0.##}\" fill=\"none\" stroke=\"black\"/>\n"));
        sb.Append(Inv($"<text x=\"{Left + plotW / 2:0.##}\" y=\"{Height - 10}\" text-anchor=\"middle\">{Escape(xLabel)}</text>\n"));
        sb.Append(Inv($"<text x=\"18\" y=\"{Top + plotH / 2:0.##}\" text-anchor=\"middle\" transform=\"rotate(-90 18 {Top + plotH / 2:0.##})\">{Escape(yLabel)}</text>\n"));

        for (var si = 0; si < series.Count; si++)
        {
            var s = series[si];
            var color = Palette[si % Palette.Length];
            var pts = new StringBuilder();
            void Flush()
            {
                if (pts.Length > 0) sb.Append(Inv($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.6\" points=\"{pts}\"/>\n"));
                pts.Clear();
            }
            for (var i = 0; i < s.X.Count; i++)
            {
                if (!double.IsFinite(s.X[i]) || !double.IsFinite(s.Y[i])) { Flush(); continue; }
                pts.Append(Inv($"{Px(s.X[i]):0.##},{Py(s.Y[i]):0.##} "));
            }
            Flush();
            var ly = Top + 14 + si * 18;
            sb.Append(Inv($"<line x1=\"{Width - Right + 12}\" y1=\"{ly - 4}\" x2=\"{Width - Right + 36}\" y2=\"{ly - 4}\" stroke=\"{color}\" stroke-width=\"2.5\"/>"));
            sb.Append(Inv($"<text x=\"{Width - Right + 42}\" y=\"{ly}\">{Escape(s.Name)}</text>\n"));
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    /// <summary>Renders and writes atomically, so a viewer never sees half a file.</summary>
    public static void Write(string path, string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series) =>
        AtomicFile.WriteAllText(path, Render(title, xLabel, yLabel, series));

    /// <summary>Rounds [min, max] out to 1/2/5×10^k ticks, about five of them.</summary>
    internal static (double Lo, double Hi, double Step) NiceRange(double min, double max)
    {
        var raw = (max - min) / 5;
        var mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var norm = raw / mag;
        var step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
        return (Math.Floor(min / step) * step, Math.Ceiling(max / step) * step, step);
    }

    private static string Tick(double v, double step)
    {
        var decimals = Math.Max(0, -(int)Math.Floor(Math.Log10(step)));
        return Math.Round(v, decimals).ToString("F" + Math.Min(decimals, 6).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    internal static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    internal static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

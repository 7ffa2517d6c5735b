using System.Text;
using static Mlsh.Trainer.Diagnostics.SvgLineChart;

namespace Mlsh.Trainer.Diagnostics;

/// <summary>
/// Draws a <see cref="SkillProbe"/> result as a top view: every probe path of every sub-policy from the common start,
/// coloured per sub-policy, with an arrow for its mean displacement per macro step. Stateless and thread-safe.
/// </summary>
public static class SkillProbeSvg
{
    private const int Size = 560, Margin = 50, LegendWidth = 230;

    public static string Render(string title, IReadOnlyList<SkillProbeResult> skills)
    {
        ArgumentNullException.ThrowIfNull(skills);
        // A square, symmetric view so that directions are not distorted.
        double extent = 0.5;
        foreach (var s in skills)
            foreach (var path in s.Paths)
                foreach (var (x, y) in path)
                    extent = Math.Max(extent, Math.Max(Math.Abs(x), Math.Abs(y)));
        var (_, hi, step) = NiceRange(0, extent * 1.05);
        double plot = Size - 2 * Margin, centre = Margin + plot / 2;
        double Px(double x) => centre + x / hi * plot / 2;
        double Py(double y) => centre - y / hi * plot / 2;

        var sb = new StringBuilder();
        sb.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Size + LegendWidth}\" height=\"{Size}\" viewBox=\"0 0 {Size + LegendWidth} {Size}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        sb.Append(Inv($"<rect width=\"{Size + LegendWidth}\" height=\"{Size}\" fill=\"white\"/>\n"));
        sb.Append(Inv($"<text x=\"{centre:0.#}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>\n"));
        for (var v = -hi; v <= hi + step * 1e-6; v += step)
        {
            sb.Append(Inv($"<line x1=\"{Px(v):0.##}\" y1=\"{Margin}\" x2=\"{Px(v):0.##}\" y2=\"{Margin + plot:0.##}\" stroke=\"{(Math.Abs(v) < step * 1e-6 ? "#b0b0b0" : "#eeeeee")}\"/>"));
            sb.Append(Inv($"<line x1=\"{Margin}\" y1=\"{Py(v):0.##}\" x2=\"{Margin + plot:0.##}\" y2=\"{Py(v):0.##}\" stroke=\"{(Math.Abs(v) < step * 1e-6 ? "#b0b0b0" : "#eeeeee")}\"/>"));
            sb.Append(Inv($"<text x=\"{Px(v):0.##}\" y=\"{Margin + plot + 16:0.##}\" text-anchor=\"middle\">{v:0.##}</text>"));
            sb.Append(Inv($"<text x=\"{Margin - 6}\" y=\"{Py(v) + 4:0.##}\" text-anchor=\"end\">{v:0.##}</text>\n"));
        }
        sb.Append(Inv($"<rect x=\"{Margin}\" y=\"{Margin}\" width=\"{plot:0.##}\" height=\"{plot:0.##}\" fill=\"none\" stroke=\"black\"/>\n"));
        sb.Append(Inv($"<text x=\"{centre:0.#}\" y=\"{Size - 8}\" text-anchor=\"middle\">x (m, east)</text>\n"));
        sb.Append(Inv($"<text x=\"14\" y=\"{centre:0.#}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {centre:0.#})\">y (m, north)</text>\n"));
        for (var i = 0; i < skills.Count; i++)
        {
            var s = skills[i];
            var colour = Palette[i % Palette.Length];
            foreach (var path in s.Paths)
            {
                if (path.Count < 2) continue;
                sb.Append("<polyline fill=\"none\" stroke-opacity=\"0.55\" stroke-width=\"1.5\" stroke=\"").Append(colour).Append("\" points=\"");
                foreach (var (x, y) in path) sb.Append(Inv($"{Px(x):0.##},{Py(y):0.##} "));
                sb.Append("\"/>\n");
            }
            if (s.MacroSteps > 0)
            {
                double ex = Px(s.MeanDx), ey = Py(s.MeanDy);
                sb.Append(Inv($"<line x1=\"{centre:0.##}\" y1=\"{centre:0.##}\" x2=\"{ex:0.##}\" y2=\"{ey:0.##}\" stroke=\"{colour}\" stroke-width=\"4\"/>"));
                sb.Append(Inv($"<circle cx=\"{ex:0.##}\" cy=\"{ey:0.##}\" r=\"5\" fill=\"{colour}\"/>\n"));
            }
            var label = s.MacroSteps == 0
                ? $"sub-policy {s.Subpolicy}: no macro step completed"
                : string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"sub-policy {s.Subpolicy}: {s.HeadingDegrees:0}°, {s.MeanDistance:0.00} m/macro, c {s.Consistency:0.00}");
            double ly = Margin + 10 + 22 * i;
            sb.Append(Inv($"<rect x=\"{Size + 4}\" y=\"{ly - 9:0.##}\" width=\"14\" height=\"10\" fill=\"{colour}\"/>"));
            sb.Append(Inv($"<text x=\"{Size + 24}\" y=\"{ly:0.##}\">{Escape(label)}</text>\n"));
        }
        sb.Append(Inv($"<text x=\"{Size + 4}\" y=\"{Margin + 10 + 22 * skills.Count + 8}\" font-size=\"10\">lines: probe paths; thick: mean per macro step</text>\n"));
        sb.Append("</svg>\n");
        return sb.ToString();
    }
}

using System.Globalization;
using System.Text;
using Mlsh.Core.IO;
using Mlsh.Environments.Mazes;

namespace Mlsh.Hil.Trajectories;

/// <summary>
/// Draws a run as a hand-written SVG: one rect per wall cell, start and goal markers, the path as one polyline per
/// run of the same skill (coloured per skill, with a legend) and a small diamond at every master tick.
/// Stateless; thread-safe.
/// </summary>
/// <remarks>DESIGN: plain SVG text instead of a plotting library (none is available here, and the output must be a
/// file any browser opens). World y points up, SVG y down: rows are drawn top to bottom like the layout grid.</remarks>
public static class TrajectorySvg
{
    /// <summary>Pixels per grid cell.</summary>
    public const double CellPixels = 60;

    /// <summary>Colours for skills 0, 1, 2, ... (colour-blind-safe Okabe–Ito order); a skill past the end wraps.</summary>
    public static readonly string[] SkillColours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000"];

    /// <summary>Grey for samples before the first master tick (skill -1).</summary>
    public const string NoSkillColour = "#999999";

    public static string Render(MazeLayout layout, Trajectory trajectory, string title, Func<int, string>? skillName = null) =>
        Render(layout, [trajectory], title, skillName);

    /// <summary>Several runs on one maze (e.g. the episodes of an evaluation), each drawn as above; where a run ends
    /// without reaching the goal a cross marks the spot.</summary>
    public static string Render(MazeLayout layout, IReadOnlyList<Trajectory> trajectories, string title, Func<int, string>? skillName = null)
    {
        ArgumentNullException.ThrowIfNull(trajectories);
        skillName ??= s => s < 0 ? "no skill yet" : $"skill {s}";
        var ci = CultureInfo.InvariantCulture;
        var legendHeight = 24;
        var width = layout.Columns * CellPixels;
        var height = layout.Rows * CellPixels;
        var sb = new StringBuilder(16 * 1024);
        sb.Append(ci, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:0}\" height=\"{height + 30 + legendHeight:0}\" viewBox=\"0 0 {width:0} {height + 30 + legendHeight:0}\">\n");
        sb.Append(ci, $"<title>{Escape(title)}</title>\n");
        sb.Append(ci, $"<text x=\"4\" y=\"18\" font-family=\"sans-serif\" font-size=\"14\">{Escape(title)}</text>\n");
        sb.Append("<g transform=\"translate(0,30)\">\n");
        sb.Append(ci, $"<rect class=\"floor\" x=\"0\" y=\"0\" width=\"{width:0}\" height=\"{height:0}\" fill=\"#fafafa\"/>\n");
        sb.Append("<g class=\"walls\" fill=\"#444444\">\n");
        for (var r = 0; r < layout.Rows; r++)
            for (var c = 0; c < layout.Columns; c++)
                if (layout.IsWall(r, c))
                    sb.Append(ci, $"<rect class=\"wall\" x=\"{c * CellPixels:0}\" y=\"{r * CellPixels:0}\" width=\"{CellPixels:0}\" height=\"{CellPixels:0}\"/>\n");
        sb.Append("</g>\n");

        var (sx, sy) = ToSvg(layout, layout.Frame.CellCenter(layout.Start));
        var (gx, gy) = ToSvg(layout, layout.Frame.CellCenter(layout.Goal));
        var goalRadius = layout.GoalRadius / layout.CellSize * CellPixels;
        sb.Append(ci, $"<circle class=\"goal\" cx=\"{gx:0.#}\" cy=\"{gy:0.#}\" r=\"{goalRadius:0.#}\" fill=\"#c8f0c8\" stroke=\"#2a8a2a\"/>\n");
        sb.Append(ci, $"<text x=\"{gx - 5:0.#}\" y=\"{gy + 5:0.#}\" font-family=\"sans-serif\" font-size=\"14\">G</text>\n");
        sb.Append(ci, $"<rect class=\"start\" x=\"{sx - 8:0.#}\" y=\"{sy - 8:0.#}\" width=\"16\" height=\"16\" fill=\"none\" stroke=\"#000000\" stroke-width=\"2\"/>\n");

        var used = new SortedSet<int>();
        var stroke = trajectories.Count > 1 ? 2 : 3;
        foreach (var trajectory in trajectories)
        {
            var samples = trajectory.Samples;
            foreach (var (first, last, skill) in trajectory.SkillRuns())
            {
                used.Add(skill);
                sb.Append(ci, $"<polyline class=\"path\" data-skill=\"{skill}\" fill=\"none\" stroke=\"{Colour(skill)}\" stroke-width=\"{stroke}\" stroke-linejoin=\"round\" points=\"");
                for (var i = first; i <= last; i++)
                {
                    var (px, py) = ToSvg(layout, (samples[i].X, samples[i].Y));
                    sb.Append(ci, $"{px:0.#},{py:0.#} ");
                }
                sb.Length--;
                sb.Append("\"/>\n");
            }
            foreach (var t in trajectory.MasterTicks)
            {
                var (px, py) = ToSvg(layout, (t.X, t.Y));
                sb.Append(ci, $"<path class=\"master-tick\" d=\"M{px:0.#},{py - 4:0.#} l4,4 l-4,4 l-4,-4 z\" fill=\"{Colour(t.Skill)}\" stroke=\"#000000\" stroke-width=\"0.5\"/>\n");
            }
            if (trajectory.Failed && samples.Count > 0)
            {
                var (ex, ey) = ToSvg(layout, (samples[^1].X, samples[^1].Y));
                sb.Append(ci, $"<path class=\"failed-end\" d=\"M{ex - 6:0.#},{ey - 6:0.#} l12,12 M{ex - 6:0.#},{ey + 6:0.#} l12,-12\" stroke=\"#C00000\" stroke-width=\"2.5\"/>\n");
            }
        }
        sb.Append("</g>\n");

        sb.Append(ci, $"<g class=\"legend\" transform=\"translate(4,{height + 30 + 4:0})\" font-family=\"sans-serif\" font-size=\"12\">\n");
        var x = 0.0;
        foreach (var skill in used)
        {
            sb.Append(ci, $"<rect x=\"{x:0}\" y=\"2\" width=\"14\" height=\"10\" fill=\"{Colour(skill)}\"/>");
            var label = skillName(skill);
            sb.Append(ci, $"<text x=\"{x + 18:0}\" y=\"12\">{Escape(label)}</text>\n");
            x += 30 + 7 * label.Length;
        }
        sb.Append("</g>\n</svg>\n");
        return sb.ToString();
    }

    /// <summary>Renders and writes atomically (creates the folder).</summary>
    public static void Write(string path, MazeLayout layout, Trajectory trajectory, string title, Func<int, string>? skillName = null) =>
        Write(path, layout, [trajectory], title, skillName);

    /// <summary>Renders several runs and writes atomically (creates the folder).</summary>
    public static void Write(string path, MazeLayout layout, IReadOnlyList<Trajectory> trajectories, string title, Func<int, string>? skillName = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.WriteAllText(path, Render(layout, trajectories, title, skillName));
    }

    public static string Colour(int skill) => skill < 0 ? NoSkillColour : SkillColours[skill % SkillColours.Length];

    private static (double X, double Y) ToSvg(MazeLayout layout, (double X, double Y) world)
    {
        var (column, row) = layout.Frame.GridCoordinates(world.X, world.Y);
        return (column * CellPixels, row * CellPixels);
    }

    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("\"", "&quot;", StringComparison.Ordinal);
}

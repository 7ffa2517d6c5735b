using System.Globalization;
using System.Xml.Linq;
using Mlsh.Core.Configuration;

namespace Mlsh.Environments.Mazes;

/// <summary>
/// Compiles a maze into MJCF: the robot's MJCF with the maze walls added to its world body as static
/// boxes (contype/conaffinity 1, so they collide with the robot and not with each other) plus visual-only
/// sites marking start and goal. The robot is authored at the world origin, which <see cref="MazeFrame"/>
/// puts at the start cell's centre, so no robot body is moved. Pure function; thread-safe.
/// </summary>
public static class MazeMjcf
{
    /// <summary>Prefix of every wall geom name: <c>wall_r{row}_c{column}</c> (1-based, first cell of a run).</summary>
    public const string WallPrefix = "wall_";

    /// <param name="robotMjcf">The robot's MJCF text.</param>
    /// <param name="robotSource">Where that text came from, for error messages.</param>
    /// <param name="layout">The maze.</param>
    /// <param name="physicsDt">Physics period written to &lt;option timestep&gt; (the robot config owns timing).</param>
    public static string Compose(string robotMjcf, string robotSource, MazeLayout layout, double physicsDt)
    {
        XDocument doc;
        try
        {
            doc = XDocument.Parse(robotMjcf);
        }
        catch (System.Xml.XmlException e)
        {
            throw new ConfigException($"robot MJCF is not valid XML: {e.Message}", robotSource, e);
        }
        var root = doc.Root;
        if (root is null || root.Name.LocalName != "mujoco") throw new ConfigException("robot MJCF has no <mujoco> root element", robotSource);
        var world = root.Element("worldbody") ?? throw new ConfigException("robot MJCF has no <worldbody>", robotSource);
        var option = root.Element("option");
        if (option is null)
        {
            option = new XElement("option");
            root.AddFirst(option);
        }
        option.SetAttributeValue("timestep", F(physicsDt));
        root.SetAttributeValue("model", $"{root.Attribute("model")?.Value ?? "robot"}_{layout.Name}");

        var cs = layout.CellSize;
        var h = layout.WallHeight;
        var frame = layout.Frame;
        var insertAt = new List<XElement>();
        // DESIGN: one box per horizontal run of wall cells rather than one per cell: a 9x9 maze drops from
        // ~50 geoms to ~15, which keeps the broad phase cheap at 500 Hz.
        for (var r = 0; r < layout.Rows; r++)
        {
            var c = 0;
            while (c < layout.Columns)
            {
                if (!layout.IsWall(r, c)) { c++; continue; }
                var c0 = c;
                while (c < layout.Columns && layout.IsWall(r, c)) c++;
                var (x0, y) = frame.CellCenter(new Cell(r, c0));
                var (x1, _) = frame.CellCenter(new Cell(r, c - 1));
                insertAt.Add(new XElement("geom",
                    new XAttribute("name", $"{WallPrefix}r{r + 1}_c{c0 + 1}"),
                    new XAttribute("type", "box"),
                    new XAttribute("pos", $"{F((x0 + x1) / 2)} {F(y)} {F(h / 2)}"),
                    new XAttribute("size", $"{F((x1 - x0 + cs) / 2)} {F(cs / 2)} {F(h / 2)}"),
                    new XAttribute("contype", "1"),
                    new XAttribute("conaffinity", "1"),
                    new XAttribute("rgba", "0.45 0.45 0.5 1")));
            }
        }
        var (gx, gy) = frame.CellCenter(layout.Goal);
        insertAt.Add(new XElement("site", new XAttribute("name", "maze_start"), new XAttribute("pos", "0 0 0.005"),
            new XAttribute("size", F(0.15 * cs)), new XAttribute("rgba", "0.2 0.4 0.9 0.3")));
        insertAt.Add(new XElement("site", new XAttribute("name", "maze_goal"), new XAttribute("pos", $"{F(gx)} {F(gy)} 0.005"),
            new XAttribute("size", F(layout.GoalRadius)), new XAttribute("rgba", "0.1 0.8 0.2 0.4")));
        world.AddFirst(insertAt);
        return doc.ToString(SaveOptions.DisableFormatting);
    }

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

using System.Globalization;
using System.Text;
using Mlsh.Environments.Mazes;

namespace Mlsh.Hil.Running;

/// <summary>
/// A copy of a layout with the start cell moved (a scenario's <c>start</c>), as layout YAML the simulator loads.
/// The maze frame's origin moves with the start, so odometry starts at (0, 0) there as on a real robot.
/// </summary>
public static class LayoutWithStart
{
    public static string Yaml(MazeLayout layout, Cell start)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(ci, $"# {layout.Name} with the start moved to {start} (written by the HIL harness)\n");
        sb.Append(ci, $"name: {layout.Name}\ncell_size: {layout.CellSize.ToString("R", ci)}\ntime_limit: {layout.TimeLimit.ToString("R", ci)}\n");
        sb.Append(ci, $"goal_radius: {layout.GoalRadius.ToString("R", ci)}\nwall_height: {layout.WallHeight.ToString("R", ci)}\ngrid: |\n");
        for (var r = 0; r < layout.Rows; r++)
        {
            sb.Append("  ");
            for (var c = 0; c < layout.Columns; c++)
            {
                var cell = new Cell(r, c);
                sb.Append(cell == start ? 'S' : cell == layout.Goal ? 'G' : layout.IsWall(cell) ? '#' : '.');
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }
}

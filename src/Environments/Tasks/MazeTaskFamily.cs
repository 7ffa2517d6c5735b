using Mlsh.Core;
using Mlsh.Core.Configuration;
using Mlsh.Environments.Mazes;
using Mlsh.Environments.Observations;
using Mlsh.Environments.Robots;
using Mlsh.MuJoCo;

namespace Mlsh.Environments.Tasks;

/// <summary>One maze of a family: the layout, its compiled MjModel and the robot's bindings in it.</summary>
public sealed class MazeTask
{
    internal MazeTask(MazeLayout layout, string mjcf, MjModel model, RobotBinding binding, GeodesicDistanceField distance)
    {
        Layout = layout;
        Mjcf = mjcf;
        Model = model;
        Binding = binding;
        Distance = distance;
    }

    public MazeLayout Layout { get; }
    /// <summary>The composed MJCF (robot + walls) the model was compiled from.</summary>
    public string Mjcf { get; }
    /// <summary>Compiled once; shared read-only by every environment of the family.</summary>
    public MjModel Model { get; }
    public GeodesicDistanceField Distance { get; }
    internal RobotBinding Binding { get; }
}

/// <summary>
/// "Maze with robot R over a set of layouts": one task per layout, each compiled once into an MjModel
/// that every environment created from the family shares (environments own only their MjData).
/// </summary>
/// <remarks>
/// Ownership: the family owns the models; dispose it after the environments it created (a model's native
/// memory actually lives until its last MjData is freed, so the order is not critical). Threading:
/// immutable after construction; environments created from it may be stepped on different threads.
/// </remarks>
public sealed class MazeTaskFamily : ITaskFamily, IDisposable
{
    private readonly MazeTask[] _tasks;

    private MazeTaskFamily(RobotConfig robot, MazeTask[] tasks, MazeTaskOptions options)
    {
        Robot = robot;
        _tasks = tasks;
        Options = options;
        ObservationLayout = ObservationLayout.For(robot);
        Name = $"maze-{robot.Name}";
    }

    public string Name { get; }
    public int TaskCount => _tasks.Length;
    public RobotConfig Robot { get; }
    public MazeTaskOptions Options { get; }
    public ObservationLayout ObservationLayout { get; }
    public IReadOnlyList<MazeTask> Tasks => _tasks;

    public string TaskName(int task) => _tasks[task].Layout.Name;

    /// <summary>Builds the family for a shipped robot ("quadruped" or "pointmass", see models/robots/)
    /// over the given layout files.</summary>
    /// <exception cref="ConfigException">A layout or the robot config is invalid, or two layouts share a name.</exception>
    public static MazeTaskFamily Create(string robot, IReadOnlyList<string> layoutPaths, MazeTaskOptions? options = null) =>
        Create(RobotConfig.LoadShipped(robot), layoutPaths.Select(MazeLayout.Load).ToArray(), options);

    /// <summary>Every layout under layouts/&lt;split&gt;/ ("train" or "heldout"), in file-name order.</summary>
    public static IReadOnlyList<string> ShippedLayouts(string split)
    {
        var dir = Path.Combine(MlshPaths.Layouts, split);
        if (!Directory.Exists(dir)) throw new ConfigException($"no layout directory '{split}' (expected train or heldout)", dir);
        return Directory.GetFiles(dir, "*.yaml").Order(StringComparer.Ordinal).ToArray();
    }

    public static MazeTaskFamily Create(RobotConfig robot, IReadOnlyList<MazeLayout> layouts, MazeTaskOptions? options = null)
    {
        options = MazeTaskOptions.Validate(options ?? MazeTaskOptions.Default);
        if (layouts.Count == 0) throw new ConfigException("a maze task family needs at least one layout");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var l in layouts)
            if (!names.Add(l.Name)) throw new ConfigException($"two layouts are named '{l.Name}'; task names must be unique", l.Source);

        var robotXml = File.ReadAllText(robot.MjcfPath);
        var tasks = new List<MazeTask>(layouts.Count);
        try
        {
            foreach (var layout in layouts)
            {
                var mjcf = MazeMjcf.Compose(robotXml, robot.MjcfPath, layout, robot.PhysicsDt);
                MjModel model;
                try
                {
                    model = MjModel.FromXmlString(mjcf, sourceLabel: $"{robot.Name} in {layout.Source}");
                }
                catch (MjLoadException e)
                {
                    throw new ConfigException($"MuJoCo rejected the maze model: {e.Message}", layout.Source, e);
                }
                try
                {
                    tasks.Add(new MazeTask(layout, mjcf, model, new RobotBinding(robot, model),
                        new GeodesicDistanceField(layout, options.DistanceFieldResolution)));
                }
                catch
                {
                    model.Dispose();
                    throw;
                }
            }
        }
        catch
        {
            foreach (var t in tasks) t.Model.Dispose();
            throw;
        }
        return new MazeTaskFamily(robot, tasks.ToArray(), options);
    }

    IVectorEnv ITaskFamily.CreateVectorEnv(int count) => CreateVectorEnv(count);

    /// <summary>K independent instances, all on task 0 until <see cref="IVectorEnv.Task"/> is set and
    /// <see cref="IVectorEnv.Reset"/> called.</summary>
    public MazeVectorEnv CreateVectorEnv(int count) => new(this, count);

    public void Dispose()
    {
        foreach (var t in _tasks) t.Model.Dispose();
    }
}

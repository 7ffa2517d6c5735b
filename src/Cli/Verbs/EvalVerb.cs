using System.CommandLine;
using System.Globalization;
using Mlsh.Trainer.Mlsh;

namespace Mlsh.Cli.Verbs;

/// <summary>`mlsh eval --models DIR (--layout L | --task N) [--episodes K] [--seed S] [--stochastic] [--json]`.</summary>
public sealed class EvalVerb : IVerb
{
    public Command Build()
    {
        var models = new Option<string>("--models") { Description = "Models directory (or run directory) written by train or retune.", Required = true };
        var layout = new Option<string?>("--layout") { Description = "Maze layout YAML (maze families)." };
        var task = new Option<int?>("--task") { Description = "Task index (discrete families: movement_bandits, four_rooms)." };
        var episodes = new Option<int>("--episodes") { Description = "Episodes to run.", DefaultValueFactory = _ => 20 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the episodes.", DefaultValueFactory = _ => 1 };
        var stochastic = new Option<bool>("--stochastic") { Description = "Sample actions instead of taking the most probable ones." };
        var svg = new Option<string?>("--svg") { Description = "Maze families: draw the first episode of each of the (up to 8) parallel instances on the maze, coloured by skill, a cross where an episode failed." };
        var json = new Option<bool>("--json") { Description = "End with one JSON line {success_rate, mean_return, mean_steps}." };
        var cmd = new Command("eval", "Run a trained hierarchy (or flat policy) on a layout or task and report success rate, return and steps.")
        {
            models, layout, task, episodes, seed, stochastic, svg, json,
        };
        // A damaged network file (PolicyFileException) becomes a one-line error in Program.Main.
        cmd.SetAction(Execute);
        return cmd;

        int Execute(ParseResult parse)
        {
            var n = parse.GetValue(episodes);
            if (n < 1)
            {
                Console.Error.WriteLine($"error: --episodes must be ≥ 1, got {n}");
                return 2;
            }
            var dir = parse.GetValue(models)!;
            var (description, subs, master) = ModelsDirectory.Load(dir);
            if (description.Algorithm == "mlsh" && master is null)
            {
                Console.Error.WriteLine($"error: {dir} holds sub-policies but no master; learn one first with: mlsh retune --subpolicies {dir} --layout <layout.yaml> --out <dir>");
                return 2;
            }
            var (family, t, name) = Retuner.FamilyFor(description, parse.GetValue(layout), parse.GetValue(task), dir);
            using var owned = family as IDisposable;
            var svgPath = parse.GetValue(svg);
            var maze = family as Mlsh.Environments.Tasks.MazeTaskFamily;
            if (svgPath is not null && maze is null)
            {
                Console.Error.WriteLine($"error: --svg draws maze episodes; {dir} was trained on {description.TaskFamily}");
                return 2;
            }
            var recorder = svgPath is null ? null : new FirstEpisodes(maze!.Robot.PolicyDt);
            var r = Evaluator.Run(family, t, subs, master, description.MacroSteps, n, parse.GetValue(seed), parse.GetValue(stochastic), observer: recorder);
            if (svgPath is not null)
            {
                Mlsh.Hil.Trajectories.TrajectorySvg.Write(svgPath, maze!.Tasks[t].Layout, recorder!.Paths,
                    string.Create(CultureInfo.InvariantCulture, $"{name}: {recorder.Paths.Count} episodes of {Path.GetFileName(Path.GetFullPath(dir))}, success {r.SuccessRate:P0} over {r.Episodes}"));
                Console.Error.WriteLine($"wrote {svgPath}");
            }
            if (parse.GetValue(json))
            {
                JsonOut.WriteLastLine(new Dictionary<string, object>
                {
                    ["task"] = name,
                    ["episodes"] = r.Episodes,
                    ["success_rate"] = Math.Round(r.SuccessRate, 4),
                    ["mean_return"] = Math.Round(r.MeanReturn, 4),
                    ["mean_steps"] = Math.Round(r.MeanSteps, 2),
                });
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name}: {r.Episodes} episodes, success rate {r.SuccessRate:P0}, mean return {r.MeanReturn:F3}, mean steps {r.MeanSteps:F1}"));
            }
            return 0;
        }
    }

    /// <summary>Records the first episode of every evaluation instance as a trajectory (master ticks included).</summary>
    private sealed class FirstEpisodes(double policyDt) : IEvalObserver
    {
        private sealed class Episode
        {
            public readonly Mlsh.Hil.Trajectories.Trajectory Path = new();
            public int Steps;
            public bool Done;
        }

        private readonly SortedDictionary<int, Episode> _byInstance = [];

        public IReadOnlyList<Mlsh.Hil.Trajectories.Trajectory> Paths => _byInstance.Values.Select(e => e.Path).ToArray();

        public void OnStep(int instance, float x, float y, int skill, bool masterTick)
        {
            if (!_byInstance.TryGetValue(instance, out var episode)) _byInstance[instance] = episode = new Episode();
            if (episode.Done) return;
            var time = episode.Steps++ * policyDt;
            episode.Path.Add(time, x, y, skill);
            if (masterTick) episode.Path.AddMasterTick(time, x, y, skill);
        }

        public void OnEpisodeEnd(int instance, bool succeeded)
        {
            if (!_byInstance.TryGetValue(instance, out var episode) || episode.Done) return;
            episode.Path.Failed = !succeeded;
            episode.Done = true;
        }
    }
}

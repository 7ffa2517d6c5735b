using Mlsh.Core.Configuration;
using Mlsh.Environments.Observations;
using Mlsh.Environments.Robots;
using Mlsh.NeuralNets.Policies;

namespace Mlsh.Trainer.Mlsh;

/// <summary>What <see cref="SkillMirroring.Write"/> did: the new sub-policy count and, per added sub-policy, its original.</summary>
/// <param name="Subpolicies">Sub-policies in the written directory (originals first, then the images).</param>
/// <param name="MirrorOf">MirrorOf[m] is the original index of sub-policy <c>originals + m</c>.</param>
public sealed record MirroredSkills(string OutDirectory, int Subpolicies, IReadOnlyList<int> MirrorOf);

/// <summary>
/// Completes a skill set with the mirror images of its skills (<c>mlsh mirror</c>): a left/right symmetric robot
/// that has learned to turn left can turn right with the mirror image of that sub-policy, so the set need not wait
/// for training to discover the other side (the robot starting every training layout facing the same way makes
/// the two sides of a gait unequally likely to be learned).
/// </summary>
/// <remarks>
/// The images are exact (<see cref="PolicyMirror"/>, under the robot's <see cref="SagittalMirror"/>), not
/// retrained; the written directory holds the original sub-policies first, then the images, and no master
/// (a master chooses among a fixed number of sub-policies: retune one for the new set). Stateless.
/// </remarks>
public static class SkillMirroring
{
    /// <param name="which">Sub-policies to mirror (default: all).</param>
    /// <exception cref="ConfigException">Not a continuous MLSH robot directory, a robot without a mirror map, or a bad index.</exception>
    public static MirroredSkills Write(string modelsDirectory, string outDirectory, IReadOnlyList<int>? which = null)
    {
        var (description, subs, _) = ModelsDirectory.Load(modelsDirectory);
        if (description.Algorithm != "mlsh" || description.TaskFamily is not ("quadruped_maze" or "pointmass_maze"))
            throw new ConfigException($"mirror needs the sub-policies of an MLSH hierarchy on a robot (quadruped_maze or pointmass_maze); got a {description.Algorithm} policy on {description.TaskFamily}", modelsDirectory);
        var robot = RobotConfig.LoadShipped(TaskFamilies.RobotOf(description.TaskFamily));
        var mirror = SagittalMirror.For(robot);
        if (mirror.ObservationSource.Length != description.ObservationSize)
            throw new ConfigException($"the sub-policies take {description.ObservationSize} observations; robot '{robot.Name}' produces {mirror.ObservationSource.Length}", modelsDirectory);
        which ??= Enumerable.Range(0, subs.Length).ToArray();
        if (which.Count == 0) throw new ConfigException("--subpolicies: name at least one sub-policy to mirror");
        foreach (var k in which)
            if (k < 0 || k >= subs.Length) throw new ConfigException($"--subpolicies: {k} is not a sub-policy; the directory has 0..{subs.Length - 1}");
        if (which.Distinct().Count() != which.Count) throw new ConfigException($"--subpolicies: {string.Join(",", which)} names a sub-policy twice");

        var images = which.Select(k => (ActorCritic)PolicyMirror.Mirror(
            subs[k] as GaussianActorCritic ?? throw new ConfigException($"sub-policy {k} is a {subs[k].Kind} policy; only continuous (joint action) sub-policies can be mirrored"),
            mirror.ObservationSource, mirror.ObservationSign, mirror.ActionSource, mirror.ActionSign)).ToArray();
        var all = subs.Concat(images).ToArray();
        description.Layout = "";
        ModelsDirectory.Write(outDirectory, description, all, null);
        return new MirroredSkills(outDirectory, all.Length, [.. which]);
    }
}

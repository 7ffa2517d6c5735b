using Mlsh.Core.Configuration;
using Mlsh.Environments.Robots;

namespace Mlsh.Environments.Gaits;

/// <summary>
/// An open-loop trot for the sprawled quadruped, expressed as policy actions so it runs through the same
/// action → target → PD path as a learned policy: diagonal leg pairs (fl+br, fr+bl) alternate; a hip sweeps
/// its foot backward during stance and forward during swing, while the knee lifts the foot in swing.
/// Steering mixes a common rotation of all hips into the sweep. Used by the interim demo and the sim
/// benchmark; not a controller to deploy. Immutable; thread-safe.
/// </summary>
public sealed class TrotGait
{
    private static readonly string[] Legs = ["fl", "fr", "bl", "br"];
    // Diagonal pairs in antiphase.
    private static readonly double[] LegPhase = [0, Math.PI, Math.PI, 0];
    // A positive hip angle turns a leg counter-clockwise (seen from above): backward for left legs.
    private static readonly double[] BackwardSign = [1, -1, 1, -1];

    private readonly int[] _hip = new int[4], _knee = new int[4];
    private readonly double[] _default, _scale;

    public double FrequencyHz { get; }
    public double HipAmplitude { get; }
    public double KneeLift { get; }
    public double LiftPhase { get; }

    /// <param name="robot">A robot with joints fl_hip, fl_knee, fr_hip, … (the shipped quadruped).</param>
    /// <param name="frequencyHz">Stride frequency.</param>
    /// <param name="hipAmplitude">Hip sweep amplitude (rad).</param>
    /// <param name="kneeLift">How far the knee bends up in swing (rad).</param>
    /// <param name="liftPhase">Phase lead of the lift relative to the sweep (rad); compensates PD lag.</param>
    /// <exception cref="ConfigException">The robot lacks one of the eight leg joints.</exception>
    public TrotGait(RobotConfig robot, double frequencyHz = 3.0, double hipAmplitude = 0.5, double kneeLift = 0.6, double liftPhase = -0.6)
    {
        FrequencyHz = frequencyHz;
        HipAmplitude = hipAmplitude;
        KneeLift = kneeLift;
        LiftPhase = liftPhase;
        _default = robot.Joints.Select(j => j.DefaultPosition).ToArray();
        _scale = robot.Joints.Select(j => j.ActionScale).ToArray();
        if (robot.ControlMode != ControlMode.Position)
            throw new ConfigException($"the trot gait needs position-controlled joints; robot '{robot.Name}' uses {robot.ControlMode}", robot.MjcfPath);
        for (var l = 0; l < 4; l++)
        {
            _hip[l] = Index(robot, Legs[l] + "_hip");
            _knee[l] = Index(robot, Legs[l] + "_knee");
        }
    }

    private static int Index(RobotConfig robot, string joint)
    {
        for (var i = 0; i < robot.Joints.Count; i++)
            if (robot.Joints[i].Name == joint) return i;
        throw new ConfigException($"the trot gait needs joint '{joint}'; robot '{robot.Name}' has {string.Join(", ", robot.Joints.Select(j => j.Name))}", robot.MjcfPath);
    }

    /// <summary>Actions for time <paramref name="time"/> (s since the gait started).</summary>
    /// <param name="forward">−1…1: backward…forward stride.</param>
    /// <param name="turn">−1…1: clockwise…counter-clockwise (left) rotation.</param>
    /// <param name="actions">Destination, one entry per robot joint; joints outside the legs get 0.</param>
    public void WriteActions(double time, double forward, double turn, Span<float> actions)
    {
        actions.Clear();
        var activity = Math.Min(1.0, Math.Abs(forward) + Math.Abs(turn));
        for (var l = 0; l < 4; l++)
        {
            var phase = 2 * Math.PI * FrequencyHz * time + LegPhase[l];
            var hipOffset = HipAmplitude * Math.Sin(phase) * (BackwardSign[l] * forward - turn);
            var kneeOffset = -KneeLift * activity * Math.Max(0, -Math.Cos(phase + LiftPhase));
            int h = _hip[l], k = _knee[l];
            actions[h] = JointPdLaw.TargetToAction(_default[h] + hipOffset, _default[h], _scale[h]);
            actions[k] = JointPdLaw.TargetToAction(_default[k] + kneeOffset, _default[k], _scale[k]);
        }
    }
}

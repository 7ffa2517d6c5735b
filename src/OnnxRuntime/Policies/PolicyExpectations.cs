namespace Mlsh.OnnxRuntime.Policies;

/// <summary>
/// What the deployment side (robot config, observation builder, controller) requires of a bundle;
/// <see cref="PolicyBundle.Load"/> rejects a bundle that disagrees. Optional members are checked
/// only when set.
/// </summary>
public sealed class PolicyExpectations
{
    /// <summary>Robot name from the robot config.</summary>
    public required string Robot { get; init; }

    /// <summary>Actuated joints in the order the controller drives them.</summary>
    public required IReadOnlyList<string> JointNames { get; init; }

    /// <summary>Width of the observation vector the runtime builds.</summary>
    public required int ObservationSize { get; init; }

    /// <summary>Number of sub-policies the caller is prepared for, if it cares.</summary>
    public int? SubPolicyCount { get; init; }

    /// <summary>The control loop's rate in Hz, if fixed by the robot config.</summary>
    public double? ControlRateHz { get; init; }
}

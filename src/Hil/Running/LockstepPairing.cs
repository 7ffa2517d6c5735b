using Mlsh.Core.Configuration;
using Mlsh.Core.Launch;

namespace Mlsh.Hil.Running;

/// <summary>
/// How the SimBridge must step in lockstep with the Runtime: one command per runtime control cycle, i.e.
/// physics_rate_hz (launch/params/sim.yaml) / control_rate_hz (launch/params/runtime.yaml) physics steps per command.
/// </summary>
/// <remarks>DESIGN: derived rather than read from sim.yaml's `decimation`, so that a runtime.yaml with another
/// control rate still pairs exactly. The Runtime applies its PD law every control cycle: a coarser lockstep step
/// holds one effort for several periods and skips the runtime's deadlines on /clock (the demo once ran one cycle per
/// 10 periods that way). A test keeps the shipped sim.yaml in agreement for `./mlsh launch`.</remarks>
public static class LockstepPairing
{
    /// <exception cref="ConfigException">The rates in the two parameter files do not divide.</exception>
    public static int Decimation(string repositoryRoot)
    {
        var simFile = Path.Combine(repositoryRoot, "launch", "params", "sim.yaml");
        var runtimeFile = Path.Combine(repositoryRoot, "launch", "params", "runtime.yaml");
        var physics = RosNodeParameters.Load("mlsh_sim", [simFile]).GetDouble("physics_rate_hz", 500.0);
        var control = RosNodeParameters.Load("mlsh_runtime", [runtimeFile]).GetDouble("control_rate_hz");
        var ratio = physics / control;
        var steps = (int)Math.Round(ratio);
        if (steps < 1 || Math.Abs(ratio - steps) > 1e-9)
            throw new ConfigException($"lockstep needs a whole number of physics steps per control cycle: physics_rate_hz {physics} ({simFile}) / control_rate_hz {control} ({runtimeFile}) = {ratio}");
        return steps;
    }

    /// <summary>The SimBridge parameters that put it in <paramref name="lockstep"/> (or real time) with the Runtime.</summary>
    public static NodeParameterSource SimTiming(string repositoryRoot, bool lockstep) => NodeParameterSource.FromValues(lockstep
        ? [new("timing_mode", "lockstep"), new("decimation", Decimation(repositoryRoot).ToString(System.Globalization.CultureInfo.InvariantCulture))]
        : [new("timing_mode", "realtime")]);
}

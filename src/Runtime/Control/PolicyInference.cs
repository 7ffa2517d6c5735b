using Mlsh.OnnxRuntime.Policies;
using Mlsh.Runtime.Policies;

namespace Mlsh.Runtime.Control;

/// <summary>Where the controller runs the master and the sub-policy (runtime parameter policy_inference).</summary>
public enum PolicyInferenceMode
{
    /// <summary>On the control thread, inside the decimation cycle (always under use_sim_time).</summary>
    Inline = 0,
    /// <summary>On a dedicated inference thread; the control thread picks the action up at a later cycle.</summary>
    Thread = 1,
}

/// <summary>
/// One policy step's request and result: the observation and what to run (filled by the control thread), and the
/// master's choice and the sub-policy's joint targets (filled by whoever runs <see cref="Run"/>). Preallocated once
/// per controller; the inline path and the inference thread run the very same <see cref="Run"/>, so both modes
/// compute the same action from the same observation.
/// </summary>
/// <remarks>
/// Ownership alternates, it is never shared: the control thread writes the request only while no step is
/// outstanding, the inference thread touches the slot only between a request's publication and its completion
/// (see <see cref="PolicyInferenceThread"/>), and the control thread reads the result only after that completion.
/// </remarks>
internal sealed class InferenceSlot
{
    public InferenceSlot(int observationSize, int subPolicyCount, int joints)
    {
        Observation = new float[observationSize];
        Logits = new float[subPolicyCount];
        ShadowLogits = new float[subPolicyCount];
        JointTargets = new float[joints];
    }

    // Request.
    public float[] Observation { get; }
    public bool MasterTick;
    /// <summary>Forced skill to run from this master tick (-1: the master's choice).</summary>
    public int OverrideSkill;
    /// <summary>Skill to run when this step does not tick the master.</summary>
    public int ActiveSkill;
    public MasterModel? Master;
    public MasterModel? Shadow;
    /// <summary>Control cycle (0-based) whose observation this is, and the monotonic time it was handed over.</summary>
    public long Cycle, StampNs;

    // Result.
    /// <summary>NaN/Inf in the master's logits or the sub-policy's targets (the targets are then not valid).</summary>
    public bool NonFinite;
    public int MasterChoice;
    /// <summary>The sub-policy that ran.</summary>
    public int Skill;
    /// <summary>The shadow's choice (-1 on a non-finite output; unset without a shadow).</summary>
    public int ShadowChoice;
    public float[] Logits { get; }
    public float[] ShadowLogits { get; }
    public float[] JointTargets { get; }

    /// <summary>
    /// Runs the step: the master (and the shadow) when it ticks, then the active sub-policy with ONNX Runtime.
    /// Allocation-free. A non-finite master output stops before the sub-policy, as it enters safe mode.
    /// </summary>
    public void Run(IReadOnlyList<SubPolicy> subPolicies)
    {
        ReadOnlySpan<float> obs = Observation;
        var skill = ActiveSkill;
        if (MasterTick)
        {
            Master!.Logits(obs, Logits);
            var best = 0;
            for (var k = 0; k < Logits.Length; k++)
            {
                if (!float.IsFinite(Logits[k]))
                {
                    NonFinite = true;
                    return;
                }
                if (Logits[k] > Logits[best]) best = k;
            }
            MasterChoice = best;
            if (Shadow is not null) ShadowChoice = ShadowArgmax(obs);
            skill = OverrideSkill >= 0 ? OverrideSkill : best;
        }
        Skill = skill;
        subPolicies[skill].Act(obs, JointTargets);
        var finite = true;
        foreach (var t in JointTargets) finite &= float.IsFinite(t);
        NonFinite = !finite;
    }

    /// <summary>A non-finite shadow output is a disagreement (-1), not a fault: only the active master drives the robot.</summary>
    private int ShadowArgmax(ReadOnlySpan<float> obs)
    {
        Shadow!.Logits(obs, ShadowLogits);
        var choice = 0;
        for (var k = 0; k < ShadowLogits.Length; k++)
        {
            if (!float.IsFinite(ShadowLogits[k])) return -1;
            if (ShadowLogits[k] > ShadowLogits[choice]) choice = k;
        }
        return choice;
    }

    /// <summary>Clears the result before a new request (control thread, while no step is outstanding).</summary>
    public void ResetResult()
    {
        NonFinite = false;
        MasterChoice = -1;
        Skill = -1;
        ShadowChoice = -1;
    }
}

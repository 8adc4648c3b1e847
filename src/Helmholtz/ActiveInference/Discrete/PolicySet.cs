namespace Helmholtz.ActiveInference.Discrete;

/// <summary>Every sequence of actions of a given length, in pymdp 0.0.7.1's <c>construct_policies</c> order.</summary>
/// <remarks>
/// A step's joint action is one control per factor; factors with one control always take action 0. Policies enumerate
/// the digits (step 0 factor 0, step 0 factor 1, …, step L−1 factor F−1) with the first digit slowest, so policy
/// p = Σ_t k_t · K^(L−1−t) where K = Π_f controls_f and k_t is the joint action of step t (factor 0 slowest). Policies
/// that share their first steps are therefore contiguous, which the policy evaluator uses as a tree.
/// </remarks>
public sealed class PolicySet
{
    private readonly int[] _actions; // [policy, step, factor]

    private PolicySet(int[] numControls, int length, int count, int[] actions)
    {
        NumControls = numControls;
        Length = length;
        Count = count;
        _actions = actions;
        JointActions = 1;
        foreach (int n in numControls)
        {
            JointActions *= n;
        }
    }

    /// <summary>Maximum number of policies that will be enumerated (guards against an accidental exponential blow-up).</summary>
    public const int MaxPolicies = 1 << 22;

    /// <summary>Number of policies.</summary>
    public int Count { get; }

    /// <summary>Number of steps in each policy.</summary>
    public int Length { get; }

    /// <summary>Controls per factor.</summary>
    public int[] NumControls { get; }

    /// <summary>Number of joint actions per step (Π_f controls_f).</summary>
    public int JointActions { get; }

    /// <summary>The control of <paramref name="factor"/> at <paramref name="step"/> under <paramref name="policy"/>.</summary>
    public int this[int policy, int step, int factor] => _actions[(policy * Length + step) * NumControls.Length + factor];

    /// <summary>Enumerates all policies of <paramref name="length"/> steps over <paramref name="numControls"/>.</summary>
    public static PolicySet Construct(int[] numControls, int length)
    {
        if (length < 1)
        {
            throw new ModelException($"policy_len = {length}: must be ≥ 1");
        }

        long joint = 1;
        foreach (int n in numControls)
        {
            joint *= n;
        }

        long count = 1;
        for (int t = 0; t < length; t++)
        {
            count *= joint;
            if (count > MaxPolicies)
            {
                throw new ModelException($"policy_len = {length}: {joint} joint actions per step give more than {MaxPolicies} policies");
            }
        }

        int nf = numControls.Length;
        var actions = new int[count * length * nf];
        for (int p = 0; p < count; p++)
        {
            int rem = p;
            for (int digit = length * nf - 1; digit >= 0; digit--)
            {
                int f = digit % nf;
                actions[p * length * nf + digit] = rem % numControls[f];
                rem /= numControls[f];
            }
        }

        return new PolicySet((int[])numControls.Clone(), length, (int)count, actions);
    }

    /// <summary>Splits a joint action index (factor 0 slowest) into one control per factor.</summary>
    public void DecodeJointAction(int joint, Span<int> destination)
    {
        for (int f = NumControls.Length - 1; f >= 0; f--)
        {
            destination[f] = joint % NumControls[f];
            joint /= NumControls[f];
        }
    }
}

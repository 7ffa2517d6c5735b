namespace Mlsh.NeuralNets;

/// <summary>Element-wise nonlinearity applied after a dense layer's affine map.</summary>
public enum Activation
{
    /// <summary>y = z (output layers: action means, logits, values).</summary>
    Identity = 0,
    /// <summary>y = tanh(z) (MLSH hidden layers).</summary>
    Tanh = 1,
}

/// <summary>How a network's weights are drawn at construction (biases start at zero).</summary>
public enum Initialization
{
    /// <summary>Orthogonal matrix scaled by a gain (PPO2 convention: hidden √2, policy output 0.01, value output 1).</summary>
    Orthogonal = 0,
    /// <summary>Gaussian with each output unit's weight column rescaled to a fixed norm
    /// (OpenAI baselines' "normc", PPO1/MLSH convention: hidden 1, policy output 0.01, value output 1).</summary>
    NormalizedColumns = 1,
}

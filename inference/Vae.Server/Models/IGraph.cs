namespace Vae.Server.Models;

/// <summary>A graph that runs batches: what the batcher and the infer endpoint need of a <see cref="GraphModel"/>.</summary>
public interface IGraph
{
    /// <summary>The OIP model name.</summary>
    string Name { get; }

    /// <summary>The inputs, every one required, in the order <see cref="Run"/> takes them.</summary>
    IReadOnlyList<TensorSpec> Inputs { get; }

    /// <summary>The outputs, in the order <see cref="Run"/> returns them.</summary>
    IReadOnlyList<TensorSpec> Outputs { get; }

    /// <summary>Runs <paramref name="rows"/> rows: one array of rows × sample size values per input; returns one new array per output. Safe from many threads.</summary>
    float[][] Run(float[][] inputs, int rows);
}

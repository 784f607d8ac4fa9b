namespace Vae.Server.Models;

/// <summary>One input or output of a served graph: its name, OIP datatype, and the shape of one sample (no batch dimension).</summary>
public sealed record TensorSpec(string Name, string Datatype, int[] SampleShape)
{
    /// <summary>The OIP datatype of every tensor the exported graphs take and give.</summary>
    public const string Fp32 = "FP32";

    /// <summary>Values per sample.</summary>
    public int SampleSize { get; } = SampleShape.Aggregate(1, (a, b) => a * b);

    /// <summary>The shape as OIP model metadata gives it: -1 for the batch, then the sample's dimensions.</summary>
    public long[] MetadataShape => [-1, .. SampleShape.Select(d => (long)d)];

    /// <summary>"[-1,784]"-style text for messages.</summary>
    public string DescribeShape() => $"[-1,{string.Join(",", SampleShape)}]";
}

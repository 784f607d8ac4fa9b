using Microsoft.ML;
using Microsoft.ML.Data;
using Vae.Training.Data;

namespace Vae.Cli.Commands;

/// <summary>MNIST as an ML.NET IDataView: <c>Pixels</c> (Vector&lt;Single, 784&gt;, values in [0, 1]) and <c>Label</c> (UInt32 digit).</summary>
internal static class MnistDataView
{
    public sealed class Digit
    {
        public float[] Pixels { get; set; } = [];
        public uint Label { get; set; }
    }

    /// <summary>The first <paramref name="count"/> rows of <paramref name="data"/> (all when 0) as a data view.</summary>
    public static IDataView Load(MLContext ml, Dataset data, int count = 0)
    {
        if (data.Labels is null) throw new ArgumentException("the MNIST data set has no labels.", nameof(data));
        int size = data.SampleSize, n = count <= 0 ? data.Count : Math.Min(count, data.Count);
        var rows = new List<Digit>(n);
        for (int i = 0; i < n; i++)
            rows.Add(new Digit { Pixels = data.Features.AsSpan(i * size, size).ToArray(), Label = (uint)data.Labels[i] });
        SchemaDefinition schema = SchemaDefinition.Create(typeof(Digit));
        schema[nameof(Digit.Pixels)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary>Checks that the model reads images of this data set's size.</summary>
    public static void CheckFits(Dataset data, Vae.Inference.VaeModel model)
    {
        if (data.SampleSize != model.InputSize)
            throw new ArgumentException($"images have {data.SampleSize} values; the model expects {model.InputSize}.");
    }
}

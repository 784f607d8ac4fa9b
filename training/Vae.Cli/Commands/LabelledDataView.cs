using Microsoft.ML;
using Microsoft.ML.Data;
using Vae.Inference;
using Vae.Training.Data;

namespace Vae.Cli.Commands;

/// <summary>A labelled data set as an ML.NET IDataView: <c>Pixels</c> (Vector&lt;Single, sample size&gt;) and <c>Label</c> (UInt32 class).</summary>
internal static class LabelledDataView
{
    public sealed class Row
    {
        public float[] Pixels { get; set; } = [];
        public uint Label { get; set; }
    }

    /// <summary>Every sample of <paramref name="data"/> as a data view.</summary>
    public static IDataView Load(MLContext ml, Dataset data)
    {
        if (data.Labels is null) throw new ArgumentException("the data set has no labels.", nameof(data));
        int size = data.SampleSize;
        var rows = new List<Row>(data.Count);
        for (int i = 0; i < data.Count; i++)
            rows.Add(new Row { Pixels = data.Features.AsSpan(i * size, size).ToArray(), Label = (uint)data.Labels[i] });
        SchemaDefinition schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Pixels)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary>
    /// Checks that <paramref name="data"/> (read from the option <paramref name="option"/>) has a label per sample and
    /// samples of the model's size.
    /// </summary>
    /// <exception cref="ArgumentException">No labels, or another sample size than the model's input.</exception>
    /// <exception cref="ArgumentException">(also) The model is conditional: its embedding would carry the label it is scored against.</exception>
    public static void Check(Dataset data, VaeModel model, string option, string path)
    {
        if (model.Classes > 0)
            throw new ArgumentException($"the model is conditional ({model.Classes} classes): its encoder reads the label these figures are scored against, so its embeddings would carry the answer; use an unconditional model.", "--model");
        if (data.Labels is null)
            throw new ArgumentException($"{path} has no labels; expected labelled data (an MNIST folder, images in one sub-folder per class, a CSV with --label-column or an idx file with --labels).", option);
        PictureInputs.CheckShape(data, model, option, path);
        PictureInputs.CheckRange(data, model.Info, option, path);
    }

    /// <summary><paramref name="count"/> samples of <paramref name="data"/> picked at random with <paramref name="seed"/>, in their
    /// original order; all of them when <paramref name="count"/> is 0 or covers the set.</summary>
    public static Dataset Sample(Dataset data, int count, int seed) =>
        count <= 0 || count >= data.Count ? data : DataSplit.HoldOut(data, count, seed).Validation!;
}

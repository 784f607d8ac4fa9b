using System.Buffers;
using Vae.Inference.Native;

namespace Vae.Inference;

/// <summary>Encode and Decode: the two graphs, checked and run without managed allocation.</summary>
public sealed partial class VaeModel
{
    /// <summary>
    /// Most rows in one ONNX Runtime run. Every method takes batches of any length and runs the graphs over them
    /// this many rows at a time, so ONNX Runtime's working memory (the layers' activations) stays bounded however
    /// many samples are passed; results are the same as for separate calls of up to this many rows.
    /// </summary>
    public const int RowsPerRun = 1000;

    /// <summary>
    /// Encodes a batch of any length: <paramref name="x"/> holds B × <see cref="InputSize"/> values; <paramref name="mean"/> and
    /// <paramref name="logvar"/> receive B × <see cref="LatentSize"/>. <paramref name="labels"/>: one class per
    /// sample for conditional models (<see cref="Classes"/> &gt; 0), empty otherwise. Runs <see cref="RowsPerRun"/>
    /// rows at a time. Allocates no managed memory.
    /// </summary>
    /// <exception cref="ArgumentException">A length, label or value is wrong; the message gives expected and actual.</exception>
    public void Encode(ReadOnlySpan<float> x, Span<float> mean, Span<float> logvar, ReadOnlySpan<int> labels = default)
    {
        Enter();
        try
        {
            int batch = CheckInput(x, labels, nameof(x), nameof(labels));
            InputChecks.Length(mean.Length, batch * LatentSize, nameof(mean), $"batch {batch} × latent size {LatentSize}");
            InputChecks.Length(logvar.Length, batch * LatentSize, nameof(logvar), $"batch {batch} × latent size {LatentSize}");
            RunEncoder(x, labels, mean, logvar, batch);
        }
        finally { Exit(); }
    }

    /// <summary>Encodes a batch of B × <see cref="InputSize"/> values; returns new arrays of B × <see cref="LatentSize"/>.</summary>
    public (float[] Mean, float[] Logvar) Encode(float[] x, int[]? labels = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        int batch = InputChecks.BatchOf(x.Length, InputSize, nameof(x));
        var mean = new float[batch * LatentSize];
        var logvar = new float[batch * LatentSize];
        Encode(x, mean, logvar, labels);
        return (mean, logvar);
    }

    /// <summary>
    /// Decodes a batch of any length: <paramref name="z"/> holds B × <see cref="LatentSize"/> values; <paramref name="output"/>
    /// receives B × <see cref="InputSize"/> probabilities (Bernoulli: sigmoid of the graph's logits) or means
    /// (Gaussian). <paramref name="labels"/> as in <see cref="Encode(ReadOnlySpan{float}, Span{float}, Span{float}, ReadOnlySpan{int})"/>.
    /// Runs <see cref="RowsPerRun"/> rows at a time. Allocates no managed memory.
    /// </summary>
    public void Decode(ReadOnlySpan<float> z, Span<float> output, ReadOnlySpan<int> labels = default)
    {
        Enter();
        try
        {
            int batch = CheckLatent(z, labels, nameof(z), nameof(labels));
            InputChecks.Length(output.Length, InputChecks.Total(nameof(z), "batch × input size", batch, InputSize), nameof(output), $"batch {batch} × input size {InputSize}");
            RunDecoder(z, labels, output, batch);
        }
        finally { Exit(); }
    }

    /// <summary>Decodes a batch of B × <see cref="LatentSize"/> values; returns a new array of B × <see cref="InputSize"/>.</summary>
    public float[] Decode(float[] z, int[]? labels = null)
    {
        ArgumentNullException.ThrowIfNull(z);
        var output = new float[InputChecks.Total(nameof(z), "batch × input size", InputChecks.BatchOf(z.Length, LatentSize, nameof(z)), InputSize)];
        Decode(z, output, labels);
        return output;
    }

    /// <summary>Checks an input batch and its labels; returns the batch size.</summary>
    private int CheckInput(ReadOnlySpan<float> x, ReadOnlySpan<int> labels, string name, string labelsName)
    {
        int batch = InputChecks.BatchOf(x.Length, InputSize, name);
        if (!allowNonFinite) InputChecks.Finite(x, name);
        InputChecks.Labels(labels, batch, Classes, labelsName);
        return batch;
    }

    /// <summary>Checks a latent batch and its labels; returns the batch size.</summary>
    private int CheckLatent(ReadOnlySpan<float> z, ReadOnlySpan<int> labels, string name, string labelsName)
    {
        int batch = InputChecks.BatchOf(z.Length, LatentSize, name);
        if (!allowNonFinite) InputChecks.Finite(z, name);
        InputChecks.Labels(labels, batch, Classes, labelsName);
        return batch;
    }

    /// <summary>Runs the encoder graph into <paramref name="mean"/> and <paramref name="logvar"/>; inputs already checked.</summary>
    private void RunEncoder(ReadOnlySpan<float> x, ReadOnlySpan<int> labels, Span<float> mean, Span<float> logvar, int batch) =>
        RunGraph(encoder, isEncoder: true, x, labels, mean, logvar, batch);

    /// <summary>Runs the decoder graph; <paramref name="output"/> receives what callers get: probabilities (from the
    /// graph's <c>probs</c>, or σ of its logits taken here for pairs exported without it) or means.</summary>
    private void RunDecoder(ReadOnlySpan<float> z, ReadOnlySpan<int> labels, Span<float> output, int batch)
    {
        RunGraph(decoder, isEncoder: false, z, labels, output, default, batch);
        if (sigmoidInLibrary) Sigmoid.Apply(output, output);
    }

    /// <summary>Runs the decoder graph for likelihoods; <paramref name="raw"/> receives logits or means (no sigmoid).</summary>
    private void RunDecoderRaw(ReadOnlySpan<float> z, ReadOnlySpan<int> labels, Span<float> raw, int batch) =>
        RunGraph(likelihoodDecoder, isEncoder: false, z, labels, raw, default, batch);

    /// <summary>Runs a graph over <paramref name="batch"/> rows of caller memory, <see cref="RowsPerRun"/> rows per run.</summary>
    private void RunGraph(GraphRunner graph, bool isEncoder, ReadOnlySpan<float> input, ReadOnlySpan<int> labels,
        Span<float> output, Span<float> secondOutput, int batch)
    {
        int inputRow = isEncoder ? InputSize : LatentSize, outputRow = isEncoder ? LatentSize : InputSize;
        for (int start = 0; start < batch; start += RowsPerRun)
        {
            int rows = Math.Min(RowsPerRun, batch - start);
            RunRows(graph, isEncoder, input.Slice(start * inputRow, rows * inputRow), labels.IsEmpty ? default : labels.Slice(start, rows),
                    output.Slice(start * outputRow, rows * outputRow), secondOutput.IsEmpty ? default : secondOutput.Slice(start * outputRow, rows * outputRow), rows);
        }
    }

    /// <summary>
    /// One run over caller memory: the encoder maps [batch, ...InputShape] (+ y) to two [batch, LatentSize] outputs,
    /// the decoder [batch, LatentSize] (+ y) to one [batch, ...InputShape]. Shapes live on the stack, y in a pooled array.
    /// </summary>
    private unsafe void RunRows(GraphRunner graph, bool isEncoder, ReadOnlySpan<float> input, ReadOnlySpan<int> labels,
        Span<float> output, Span<float> secondOutput, int batch)
    {
        int sampleRank = Info.InputShape.Length + 1;
        long* sampleShape = stackalloc long[sampleRank];
        SampleShape(sampleShape, batch, Info.InputShape);
        long* latentShape = stackalloc long[] { batch, LatentSize };
        long* yShape = stackalloc long[] { batch, Classes };
        long* inputShape = isEncoder ? sampleShape : latentShape, outputShape = isEncoder ? latentShape : sampleShape;
        int inputRank = isEncoder ? sampleRank : 2, outputRank = isEncoder ? 2 : sampleRank;
        float[]? oneHot = OneHot(labels, batch);
        try
        {
            fixed (float* pi = input, po = output, ps = secondOutput, py = oneHot)
            {
                TensorRef* inputs = stackalloc TensorRef[] { new(pi, input.Length, inputShape, inputRank), new(py, batch * Classes, yShape, 2) };
                TensorRef* outputs = stackalloc TensorRef[] { new(po, output.Length, outputShape, outputRank), new(ps, secondOutput.Length, outputShape, outputRank) };
                graph.Run(new ReadOnlySpan<TensorRef>(inputs, oneHot is null ? 1 : 2), new ReadOnlySpan<TensorRef>(outputs, isEncoder ? 2 : 1));
            }
        }
        finally
        {
            if (oneHot is not null) ArrayPool<float>.Shared.Return(oneHot);
        }
    }

    private static unsafe void SampleShape(long* shape, int batch, int[] sampleShape)
    {
        shape[0] = batch;
        for (int i = 0; i < sampleShape.Length; i++) shape[i + 1] = sampleShape[i];
    }

    /// <summary>The one-hot input y [batch, classes] in a pooled array (return it), or null for unconditional models.</summary>
    private float[]? OneHot(ReadOnlySpan<int> labels, int batch)
    {
        if (Classes == 0) return null;
        float[] y = ArrayPool<float>.Shared.Rent(batch * Classes);
        y.AsSpan(0, batch * Classes).Clear();
        for (int i = 0; i < batch; i++) y[i * Classes + labels[i]] = 1f;
        return y;
    }
}

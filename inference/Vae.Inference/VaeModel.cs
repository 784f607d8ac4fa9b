using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Vae.Inference;

/// <summary>
/// An exported encoder/decoder pair loaded into ONNX Runtime. Safe to use from many threads at once.
/// The instance owns two native sessions: dispose it when done.
/// </summary>
public sealed class VaeModel : IDisposable
{
    /// <summary>File names inside a model folder.</summary>
    public const string EncoderFile = "encoder.onnx", DecoderFile = "decoder.onnx";

    private readonly InferenceSession encoder;
    private readonly InferenceSession decoder;
    private readonly RunOptions runOptions = new();
    private readonly string[] encoderInputNames = ["x"];
    private readonly string[] encoderOutputNames = ["mean", "logvar"];
    private readonly string[] decoderInputNames = ["z"];
    private readonly string[] decoderOutputNames;
    private volatile bool disposed;

    private VaeModel(InferenceSession encoder, InferenceSession decoder, VaeModelInfo info)
    {
        this.encoder = encoder;
        this.decoder = decoder;
        Info = info;
        decoderOutputNames = [info.OutputKind == OutputKind.Logits ? "logits" : "mean"];
    }

    /// <summary>Facts read from the ONNX metadata.</summary>
    public VaeModelInfo Info { get; }

    /// <summary>Values per input sample.</summary>
    public int InputSize => Info.InputSize;

    /// <summary>Dimension of z.</summary>
    public int LatentSize => Info.LatentSize;

    /// <summary>Loads <c>encoder.onnx</c> and <c>decoder.onnx</c> from <paramref name="folder"/>. The caller owns the result.</summary>
    /// <exception cref="VaeModelException">A file is missing, corrupt, or the two do not fit together.</exception>
    public static VaeModel Load(string folder, VaeSessionOptions? options = null) =>
        Load(Path.Combine(folder, EncoderFile), Path.Combine(folder, DecoderFile), options);

    /// <summary>Loads a pair from two paths. The caller owns the result.</summary>
    /// <exception cref="VaeModelException">A file is missing, corrupt, or the two do not fit together.</exception>
    public static VaeModel Load(string encoderPath, string decoderPath, VaeSessionOptions? options = null)
    {
        options ??= new VaeSessionOptions();
        using SessionOptions sessionOptions = options.ToSessionOptions();
        InferenceSession? encoder = null, decoder = null;
        try
        {
            encoder = OpenSession(encoderPath, sessionOptions);
            decoder = OpenSession(decoderPath, sessionOptions);
            VaeModelInfo encoderInfo = VaeModelInfo.FromMetadata(encoder.ModelMetadata.CustomMetadataMap, encoderPath);
            VaeModelInfo decoderInfo = VaeModelInfo.FromMetadata(decoder.ModelMetadata.CustomMetadataMap, decoderPath);
            CheckGraph(encoder, encoderPath, "encoder");
            CheckGraph(decoder, decoderPath, "decoder");
            if (encoderInfo.FormatVersion != VaeMetadata.CurrentFormatVersion)
                throw new VaeModelException($"{encoderPath}: format version {encoderInfo.FormatVersion}; this library reads version {VaeMetadata.CurrentFormatVersion}.");
            if (encoderInfo.MismatchWith(decoderInfo) is string mismatch)
                throw new VaeModelException($"{encoderPath} and {decoderPath} are not a pair: {mismatch}.");
            return new VaeModel(encoder, decoder, encoderInfo);
        }
        catch
        {
            encoder?.Dispose();
            decoder?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Encodes a batch: <paramref name="x"/> holds B × <see cref="InputSize"/> values; <paramref name="mean"/>
    /// and <paramref name="logvar"/> receive B × <see cref="LatentSize"/>. Allocates no managed memory.
    /// </summary>
    public void Encode(ReadOnlySpan<float> x, Span<float> mean, Span<float> logvar)
    {
        int batch = BatchOf(x.Length, InputSize, nameof(x));
        CheckLength(mean.Length, batch * LatentSize, nameof(mean), batch);
        CheckLength(logvar.Length, batch * LatentSize, nameof(logvar), batch);
        unsafe
        {
            fixed (float* px = x, pm = mean, pl = logvar)
            {
                using OrtValue input = Wrap(px, x.Length, batch, Info.InputShape);
                using OrtValue meanValue = Wrap(pm, mean.Length, batch, [LatentSize]);
                using OrtValue logvarValue = Wrap(pl, logvar.Length, batch, [LatentSize]);
                encoder.Run(runOptions, encoderInputNames, [input], encoderOutputNames, [meanValue, logvarValue]);
            }
        }
    }

    /// <summary>Encodes a batch of B × <see cref="InputSize"/> values; returns new arrays of B × <see cref="LatentSize"/>.</summary>
    public (float[] Mean, float[] Logvar) Encode(float[] x)
    {
        ArgumentNullException.ThrowIfNull(x);
        int batch = BatchOf(x.Length, InputSize, nameof(x));
        var mean = new float[batch * LatentSize];
        var logvar = new float[batch * LatentSize];
        Encode(x, mean, logvar);
        return (mean, logvar);
    }

    /// <summary>
    /// Decodes a batch: <paramref name="z"/> holds B × <see cref="LatentSize"/> values; <paramref name="output"/>
    /// receives B × <see cref="InputSize"/> probabilities (Bernoulli) or means (Gaussian). Allocates no managed memory.
    /// </summary>
    public void Decode(ReadOnlySpan<float> z, Span<float> output)
    {
        int batch = BatchOf(z.Length, LatentSize, nameof(z));
        CheckLength(output.Length, batch * InputSize, nameof(output), batch);
        unsafe
        {
            fixed (float* pz = z, po = output)
            {
                using OrtValue input = Wrap(pz, z.Length, batch, [LatentSize]);
                using OrtValue result = Wrap(po, output.Length, batch, Info.InputShape);
                decoder.Run(runOptions, decoderInputNames, [input], decoderOutputNames, [result]);
            }
        }
        if (Info.OutputKind == OutputKind.Logits) Sigmoid(output);
    }

    /// <summary>Decodes a batch of B × <see cref="LatentSize"/> values; returns a new array of B × <see cref="InputSize"/>.</summary>
    public float[] Decode(float[] z)
    {
        ArgumentNullException.ThrowIfNull(z);
        var output = new float[BatchOf(z.Length, LatentSize, nameof(z)) * InputSize];
        Decode(z, output);
        return output;
    }

    /// <summary>Fills <paramref name="z"/> with draws from N(0, temperature² I) using <paramref name="random"/>.</summary>
    public static void SampleLatent(Span<float> z, Random random, float temperature = 1f)
    {
        ArgumentNullException.ThrowIfNull(random);
        for (int i = 0; i < z.Length; i++) z[i] = temperature * StandardNormal(random);
    }

    /// <summary>Releases both native sessions.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        encoder.Dispose();
        decoder.Dispose();
        runOptions.Dispose();
    }

    internal static float StandardNormal(Random random)
    {
        // Box–Muller; 1 − U keeps the logarithm finite.
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }

    private static void Sigmoid(Span<float> values)
    {
        for (int i = 0; i < values.Length; i++) values[i] = 1f / (1f + MathF.Exp(-values[i]));
    }

    private static unsafe OrtValue Wrap(float* data, int length, int batch, int[] sampleShape)
    {
        var shape = new long[sampleShape.Length + 1];
        shape[0] = batch;
        for (int i = 0; i < sampleShape.Length; i++) shape[i + 1] = sampleShape[i];
        return OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float, shape, (IntPtr)data, (long)length * sizeof(float));
    }

    private int BatchOf(int length, int sampleSize, string name)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (length == 0 || length % sampleSize != 0)
            throw new ArgumentException($"length of {name} is {length}, expected a positive multiple of {sampleSize} (batch × {sampleSize}).", name);
        return length / sampleSize;
    }

    private static void CheckLength(int actual, int expected, string name, int batch)
    {
        if (actual != expected)
            throw new ArgumentException($"length of {name} is {actual}, expected {expected} (batch {batch} × {expected / batch}).", name);
    }

    private static InferenceSession OpenSession(string path, SessionOptions options)
    {
        if (!File.Exists(path)) throw new VaeModelException($"{path}: file not found.");
        try
        {
            return new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new VaeModelException($"{path}: not a loadable ONNX model ({e.Message.Trim()}).", e);
        }
    }

    private static void CheckGraph(InferenceSession session, string path, string expected)
    {
        string graph = session.ModelMetadata.CustomMetadataMap.GetValueOrDefault(VaeMetadata.Graph, "");
        if (graph != expected)
            throw new VaeModelException($"{path}: metadata '{VaeMetadata.Graph}' is '{graph}', expected '{expected}' (were the files swapped?).");
    }
}

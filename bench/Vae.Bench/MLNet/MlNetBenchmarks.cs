using BenchmarkDotNet.Attributes;
using Microsoft.ML;
using Microsoft.ML.Data;
using Vae.Inference;
using Vae.MLNet;
using Vae.Training.Data;

namespace Vae.Bench.MLNet;

/// <summary>
/// The VAE ML.NET transformer against ML.NET's own ApplyOnnxModel on the same encoder.onnx and the same 10,000 MNIST
/// test rows, in the same process: a full IDataView scan of the embedding column, and PredictionEngine latency for one row.
/// Both use ONNX Runtime's default session options. <see cref="MlNetJsonExporter"/> writes out/bench/mlnet.json.
/// Run: <c>dotnet run -c Release --project bench/Vae.Bench -- --filter '*MlNet*'</c> (model: VAE_BENCH_MODEL or models/mnist).
/// </summary>
[Config(typeof(MlNetBenchConfig))]
public class MlNetBenchmarks
{
    public const int Rows = 10_000;

    private MLContext ml = null!;
    private IDataView digits = null!;
    private ITransformer vae = null!, applyOnnx = null!;
    private PredictionEngine<Digit, VaeOutput> vaeEngine = null!;
    private PredictionEngine<Digit, OnnxOutput> onnxEngine = null!;
    private Digit one = null!;

    public sealed class Digit
    {
        [ColumnName(VaeGraphNames.X)] public float[] Pixels { get; set; } = [];
    }

    public sealed class VaeOutput
    {
        public float[] Embedding { get; set; } = [];
    }

    public sealed class OnnxOutput
    {
        [ColumnName(VaeGraphNames.Mean)] public float[] Mean { get; set; } = [];
    }

    [GlobalSetup]
    public void Setup()
    {
        string model = BenchPaths.Model;
        ml = new MLContext(seed: 1);
        Dataset test = Mnist.LoadTest(BenchPaths.Mnist).Take(Rows);
        var rows = Enumerable.Range(0, test.Count).Select(i => new Digit { Pixels = test.Features.AsSpan(i * test.SampleSize, test.SampleSize).ToArray() }).ToList();
        SchemaDefinition schema = SchemaDefinition.Create(typeof(Digit));
        schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, test.SampleSize);
        digits = ml.Data.LoadFromEnumerable(rows, schema);
        one = rows[0];

        // The encoder's graph input is "x": both read the same column, no copies on either side.
        vae = ml.Transforms.VaeEmbedding("Embedding", VaeGraphNames.X, model).Fit(digits);
        applyOnnx = ml.Transforms.ApplyOnnxModel([VaeGraphNames.Mean], [VaeGraphNames.X], Path.Combine(model, VaeModel.EncoderFile)).Fit(digits);
        vaeEngine = ml.Model.CreatePredictionEngine<Digit, VaeOutput>(vae, inputSchemaDefinition: schema);
        onnxEngine = ml.Model.CreatePredictionEngine<Digit, OnnxOutput>(applyOnnx, inputSchemaDefinition: schema);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        vaeEngine.Dispose();
        onnxEngine.Dispose();
        (vae as IDisposable)?.Dispose();
        (applyOnnx as IDisposable)?.Dispose();
    }

    [Benchmark(Description = "scan: VaeEmbedding")]
    public float ScanVaeEmbedding() => Scan(vae.Transform(digits), "Embedding");

    [Benchmark(Description = "scan: ApplyOnnxModel")]
    public float ScanApplyOnnx() => Scan(applyOnnx.Transform(digits), VaeGraphNames.Mean);

    [Benchmark(Description = "predict: VaeEmbedding")]
    public float PredictVaeEmbedding() => vaeEngine.Predict(one).Embedding[0];

    [Benchmark(Description = "predict: ApplyOnnxModel")]
    public float PredictApplyOnnx() => onnxEngine.Predict(one).Mean[0];

    /// <summary>Reads every value of <paramref name="column"/> through a cursor, as a trainer would.</summary>
    private static float Scan(IDataView data, string column)
    {
        DataViewSchema.Column col = data.Schema[column];
        using DataViewRowCursor cursor = data.GetRowCursor([col]);
        ValueGetter<VBuffer<float>> getter = cursor.GetGetter<VBuffer<float>>(col);
        VBuffer<float> value = default;
        float sum = 0;
        long rows = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            sum += value.GetValues()[0];
            rows++;
        }
        if (rows != Rows) throw new InvalidOperationException($"scanned {rows} rows, expected {Rows}.");
        return sum;
    }
}

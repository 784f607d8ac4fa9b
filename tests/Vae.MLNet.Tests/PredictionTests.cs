using Microsoft.ML;
using Vae.Inference;

namespace Vae.MLNet.Tests;

/// <summary>Single-row use through PredictionEngine, alone and from many threads at once (PredictionEnginePool style).</summary>
public class PredictionTests
{
    private readonly MLContext ml = new(seed: 1);

    [Fact]
    public void PredictionEngine_gives_Encode_of_the_single_row()
    {
        using VaeEmbeddingTransformer fitted = ml.Transforms.VaeEmbedding("Embedding", "Pixels", TestData.ModelPath).Fit(TestData.Load(ml, 1));
        using var engine = ml.Model.CreatePredictionEngine<DigitRow, EmbeddingRow>(fitted);
        foreach (DigitRow row in TestData.MnistTest(20))
            Assert.Equal(fitted.Model.Encode(row.Pixels).Mean, engine.Predict(row).Embedding);
    }

    [Fact]
    public void Sixteen_threads_with_their_own_engines_over_one_transformer_agree_with_Encode()
    {
        DigitRow[] rows = TestData.MnistTest(400);
        using VaeEmbeddingTransformer fitted = ml.Transforms.VaeEmbedding("Embedding", "Pixels", TestData.ModelPath).Fit(TestData.Load(ml, 1));
        float[][] expected = rows.Select(r => fitted.Model.Encode(r.Pixels).Mean).ToArray();
        var engines = new System.Collections.Concurrent.ConcurrentBag<PredictionEngine<DigitRow, EmbeddingRow>>();
        var mismatches = new System.Collections.Concurrent.ConcurrentBag<int>();
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 16 }, thread =>
        {
            var engine = ml.Model.CreatePredictionEngine<DigitRow, EmbeddingRow>(fitted);
            engines.Add(engine);
            for (int pass = 0; pass < 3; pass++)
                for (int i = thread; i < rows.Length; i += 4)
                    if (!engine.Predict(rows[i]).Embedding.SequenceEqual(expected[i])) mismatches.Add(i);
        });
        foreach (var engine in engines) engine.Dispose();
        Assert.Empty(mismatches);
    }

    [Fact]
    public void Every_kind_predicts_one_row_like_a_scan_of_that_row()
    {
        IDataView one = TestData.Load(ml, 1);
        foreach (VaeEmbeddingKind kind in Enum.GetValues<VaeEmbeddingKind>())
        {
            using VaeEmbeddingTransformer fitted = ml.Transforms.VaeEmbedding("Embedding", "Pixels", TestData.ModelPath, kind).Fit(one);
            using var engine = ml.Model.CreatePredictionEngine<DigitRow, EmbeddingRow>(fitted);
            float[] predicted = engine.Predict(TestData.MnistTest(1)[0]).Embedding;
            Assert.Equal(fitted.OutputSize, predicted.Length);
            if (kind != VaeEmbeddingKind.Sample) // Sample's ε depends on the row id, which differs between an engine and a scan
                Assert.Equal(TestData.Column(fitted.Transform(one), "Embedding")[0], predicted);
        }
    }

    [Fact]
    public void A_disposed_transformer_refuses_new_work()
    {
        VaeEmbeddingTransformer fitted = ml.Transforms.VaeEmbedding("Embedding", "Pixels", TestData.ModelPath).Fit(TestData.Load(ml, 1));
        fitted.Dispose();
        Assert.Throws<ObjectDisposedException>(() => fitted.Transform(TestData.Load(ml, 1)));
        Assert.Throws<ObjectDisposedException>(() => ml.Model.CreatePredictionEngine<DigitRow, EmbeddingRow>(fitted));
    }

    [Fact]
    public void Disposing_the_fitted_chain_disposes_the_VAE_step_in_it()
    {
        IDataView data = TestData.Load(ml, 4);
        var chain = ml.Transforms.CopyColumns("Image", "Pixels").Append(ml.Transforms.VaeEmbedding("Embedding", "Image", TestData.ModelPath)).Fit(data);
        VaeEmbeddingTransformer step = chain.LastTransformer;
        Assert.Equal(4, TestData.Column(chain.Transform(data), "Embedding").Length);
        chain.Dispose();
        Assert.Throws<ObjectDisposedException>(() => step.Transform(data));
        Assert.Throws<ObjectDisposedException>(() => step.Model.Encode(TestData.MnistTest(1)[0].Pixels));
    }
}

using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Vae.Inference;
using Vae.MLNet;
using Vae.Training.Data;

namespace Vae.Cli.Commands;

/// <summary>
/// <c>vae cluster</c>: ML.NET KMeans on the VAE's posterior means of labelled test images (MNIST's test split by
/// default), against the same KMeans on raw pixels; prints cluster purity and normalised mutual information with the labels.
/// </summary>
internal static class ClusterCommand
{
    public static Command Create()
    {
        var model = PictureInputs.ModelOption();
        var data = PictureInputs.DataOptions();
        var clusters = new Option<int>("--clusters") { Description = "KMeans k", DefaultValueFactory = _ => 10 };
        var count = new Option<int>("--count") { Description = "Test images to cluster, picked at random with --seed (0: all)", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "ML.NET seed (KMeans initialisation)", DefaultValueFactory = _ => 1 };

        var command = new Command("cluster", "KMeans (ML.NET) on VAE embeddings vs on raw pixels: purity and NMI against the labels.") { model, data.Data, clusters, count, seed };
        command.WithReading(data);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            int k = parse.GetValue(clusters);
            if (k < 2) throw new ArgumentException($"--clusters is {k}; expected at least 2.", "--clusters");
            int n = parse.GetValue(count);
            if (n < 0) throw new ArgumentException($"--count is {n}; expected 0 (all) or a positive count.", "--count");
            string modelPath = parse.GetValue(model)!;
            string path = parse.GetValue(data.Data)!;
            using VaeModel probe = VaeModel.Load(modelPath);
            Dataset test = LabelledDataView.Sample(data.LoadTestOfData(parse, recorded: probe.Info.Normalization), n, parse.GetValue(seed));
            LabelledDataView.Check(test, probe, data.Data.Name, path);
            if (k > test.Count)   // ML.NET's KMeans fails on too few examples, and sizes k × features arrays before it looks
                throw new ArgumentException($"--clusters is {k}; expected at most the {test.Count} images clustered (lower --clusters or raise --count).", "--clusters");

            var ml = new MLContext(seed: parse.GetValue(seed));
            IDataView digits = ml.Data.Cache(LabelledDataView.Load(ml, test));
            int[] labels = digits.GetColumn<uint>("Label").Select(l => (int)l).ToArray();
            Console.WriteLine($"KMeans (k={k}) on {labels.Length} test images of {path}; agreement of clusters with the labels:");
            Console.WriteLine($"  {"features",-28} {"dims",5} {"purity",7} {"NMI",6} {"seconds",8}");

            // KMeans scans its input many times: cache the embeddings once instead of re-encoding every pass. Each pipeline is
            // made on a fresh context with the seed, so its KMeans starts as KMeansClustering.Fit's (vae latent-map --kmeans) does.
            IEstimator<ITransformer> Embedded(MLContext c) => c.Transforms.VaeEmbedding("Embedding", "Pixels", modelPath)
                .AppendCacheCheckpoint(c)
                .Append(KMeansClustering.Trainer(c, "Embedding", k));
            IEstimator<ITransformer> Raw(MLContext c) => KMeansClustering.Trainer(c, "Pixels", k);

            // Untimed warm-up: fill the data cache and JIT-compile ML.NET's code, so the seconds compare the pipelines, not who ran first.
            foreach (VBuffer<float> _ in digits.GetColumn<VBuffer<float>>("Pixels")) { }
            IDataView few = ml.Data.TakeRows(digits, 500);
            Assign(Embedded(ml), few, "Embedding");
            Assign(Raw(ml), few, "Pixels");

            int contextSeed = parse.GetValue(seed);
            Report("VAE posterior mean (ML.NET)", Embedded(new MLContext(contextSeed)), digits, labels, "Embedding");
            Report("raw pixels", Raw(new MLContext(contextSeed)), digits, labels, "Pixels");
        }));
        return command;
    }

    /// <summary>Fits <paramref name="pipeline"/>, assigns every row to a cluster and prints the agreement with <paramref name="labels"/>.</summary>
    private static void Report(string name, IEstimator<ITransformer> pipeline, IDataView digits, int[] labels, string featureColumn)
    {
        var clock = Stopwatch.StartNew();
        var (clusters, dims) = Assign(pipeline, digits, featureColumn);
        ClusterAgreement agreement = ClusterAgreement.Measure(labels, clusters);
        Console.WriteLine($"  {name,-28} {dims,5} {agreement.Purity,7:F3} {agreement.NormalizedMutualInformation,6:F3} {clock.Elapsed.TotalSeconds,8:F1}");
    }

    /// <summary>Fits <paramref name="pipeline"/> on <paramref name="digits"/> and returns each row's cluster and the feature size.</summary>
    private static (int[] Clusters, int Dims) Assign(IEstimator<ITransformer> pipeline, IDataView digits, string featureColumn)
    {
        ITransformer fitted = pipeline.Fit(digits);
        try
        {
            IDataView assigned = fitted.Transform(digits);
            int[] clusters = assigned.GetColumn<uint>("PredictedLabel").Select(c => (int)c).ToArray();
            return (clusters, assigned.Schema[featureColumn].Type is VectorDataViewType v ? v.Size : 1);
        }
        finally
        {
            (fitted as IDisposable)?.Dispose();
        }
    }
}

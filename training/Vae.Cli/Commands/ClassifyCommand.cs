using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Vae.Inference;
using Vae.MLNet;
using Vae.Training.Data;

namespace Vae.Cli.Commands;

/// <summary>
/// <c>vae classify</c>: VAE embeddings as features. ML.NET's SdcaMaximumEntropy is trained on embeddings of MNIST
/// training images and scored on the test set, next to the same trainer on raw pixels.
/// </summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Exported model folder", DefaultValueFactory = _ => "models/mnist" };
        var data = new Option<string>("--data") { Description = "MNIST folder", DefaultValueFactory = _ => Mnist.DefaultFolder };
        var train = new Option<int>("--train") { Description = "Training images used (the first N; 0: all 60,000)", DefaultValueFactory = _ => 10000 };
        var kind = new Option<VaeEmbeddingKind>("--kind") { Description = "Embedding: Mean or MeanAndLogVar", DefaultValueFactory = _ => VaeEmbeddingKind.Mean };
        var seed = new Option<int>("--seed") { Description = "ML.NET seed", DefaultValueFactory = _ => 1 };

        var command = new Command("classify", "SdcaMaximumEntropy (ML.NET) on VAE embeddings vs on raw pixels: MNIST test accuracy.") { model, data, train, kind, seed };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string modelPath = parse.GetValue(model)!;
            Dataset trainSet = Mnist.LoadTrain(parse.GetValue(data)!), testSet = Mnist.LoadTest(parse.GetValue(data)!);
            using (VaeModel probe = VaeModel.Load(modelPath)) MnistDataView.CheckFits(trainSet, probe);

            var ml = new MLContext(seed: parse.GetValue(seed));
            IDataView trainView = ml.Data.Cache(MnistDataView.Load(ml, trainSet, parse.GetValue(train)));
            IDataView testView = ml.Data.Cache(MnistDataView.Load(ml, testSet));
            long trainCount = trainView.GetRowCount() ?? 0;
            Console.WriteLine($"SdcaMaximumEntropy trained on {trainCount} MNIST training images, accuracy on the {testSet.Count} test images:");
            Console.WriteLine($"  {"features",-28} {"dims",5} {"accuracy",9} {"seconds",8}");

            var embedding = ml.Transforms.VaeEmbedding(new VaeEmbeddingOptions
            {
                OutputColumnName = "Features", InputColumnName = "Pixels", ModelPath = modelPath, Kind = parse.GetValue(kind),
            });
            Report(ml, $"VAE {parse.GetValue(kind)} (ML.NET)", embedding.Append(ml.Transforms.NormalizeMinMax("Features")), trainView, testView);
            Report(ml, "raw pixels", ml.Transforms.CopyColumns("Features", "Pixels"), trainView, testView);
        }));
        return command;
    }

    /// <summary>Appends label mapping and the trainer to <paramref name="features"/>, fits on train, prints test accuracy.</summary>
    private static void Report(MLContext ml, string name, IEstimator<ITransformer> features, IDataView train, IDataView test)
    {
        var clock = Stopwatch.StartNew();
        var pipeline = features
            .Append(ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label"))
            .AppendCacheCheckpoint(ml) // SDCA makes many passes: compute the features once
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("LabelKey", "Features"));
        using var fitted = pipeline.Fit(train);
        IDataView scored = fitted.Transform(test);
        var metrics = ml.MulticlassClassification.Evaluate(scored, labelColumnName: "LabelKey");
        int dims = scored.Schema["Features"].Type is VectorDataViewType v ? v.Size : 1;
        Console.WriteLine($"  {name,-28} {dims,5} {metrics.MicroAccuracy,9:P2} {clock.Elapsed.TotalSeconds,8:F1}");
    }
}

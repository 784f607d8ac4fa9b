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
        var model = PictureInputs.ModelOption();
        var data = new Option<string>("--data") { Description = "MNIST folder", DefaultValueFactory = _ => Mnist.DefaultFolder };
        var train = new Option<int>("--train") { Description = "Training images used (the first N; 0: all 60,000)", DefaultValueFactory = _ => 10000 };
        var kind = new Option<VaeEmbeddingKind>("--kind") { Description = "Embedding: Mean, MeanAndLogVar, Sample or ReconstructionError", DefaultValueFactory = _ => VaeEmbeddingKind.Mean };
        var seed = new Option<int>("--seed") { Description = "ML.NET seed", DefaultValueFactory = _ => 1 };

        var command = new Command("classify", "SdcaMaximumEntropy (ML.NET) on VAE embeddings vs on raw pixels: MNIST test accuracy.") { model, data, train, kind, seed };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            int trainImages = parse.GetValue(train);
            if (trainImages < 0) throw new ArgumentException($"--train is {trainImages}; expected 0 (all) or a positive count.", "--train");
            string modelPath = parse.GetValue(model)!;
            Dataset trainSet = Mnist.LoadTrain(parse.GetValue(data)!), testSet = Mnist.LoadTest(parse.GetValue(data)!);
            using (VaeModel probe = VaeModel.Load(modelPath)) MnistDataView.CheckFits(trainSet, probe);

            var ml = new MLContext(seed: parse.GetValue(seed));
            IDataView trainView = ml.Data.Cache(MnistDataView.Load(ml, trainSet, trainImages));
            IDataView testView = ml.Data.Cache(MnistDataView.Load(ml, testSet));
            long trainCount = trainView.GetRowCount() ?? 0;
            Console.WriteLine($"SdcaMaximumEntropy trained on {trainCount} MNIST training images, accuracy on the {testSet.Count} test images:");
            Console.WriteLine($"  {"features",-28} {"dims",5} {"accuracy",9} {"seconds",8}");

            var embedding = ml.Transforms.VaeEmbedding(new VaeEmbeddingOptions
            {
                OutputColumnName = "Features", InputColumnName = "Pixels", ModelPath = modelPath, Kind = parse.GetValue(kind),
            });
            IEstimator<ITransformer> vae = embedding.Append(ml.Transforms.NormalizeMinMax("Features")), raw = ml.Transforms.CopyColumns("Features", "Pixels");

            // Untimed warm-up: fill the data caches and JIT-compile ML.NET's code, so the seconds compare the pipelines, not who ran first.
            foreach (IDataView view in new[] { trainView, testView })
                foreach (VBuffer<float> _ in view.GetColumn<VBuffer<float>>("Pixels")) { }
            IDataView fewTrain = ml.Data.TakeRows(trainView, 500), fewTest = ml.Data.TakeRows(testView, 500);
            Score(ml, vae, fewTrain, fewTest);
            Score(ml, raw, fewTrain, fewTest);

            Report(ml, $"VAE {parse.GetValue(kind)} (ML.NET)", vae, trainView, testView);
            Report(ml, "raw pixels", raw, trainView, testView);
        }));
        return command;
    }

    /// <summary>Prints the test accuracy of <paramref name="features"/> + SdcaMaximumEntropy and the seconds it took.</summary>
    private static void Report(MLContext ml, string name, IEstimator<ITransformer> features, IDataView train, IDataView test)
    {
        var clock = Stopwatch.StartNew();
        var (accuracy, dims) = Score(ml, features, train, test);
        Console.WriteLine($"  {name,-28} {dims,5} {accuracy,9:P2} {clock.Elapsed.TotalSeconds,8:F1}");
    }

    /// <summary>Appends label mapping and the trainer to <paramref name="features"/>, fits on train; returns test accuracy and feature size.</summary>
    private static (double Accuracy, int Dims) Score(MLContext ml, IEstimator<ITransformer> features, IDataView train, IDataView test)
    {
        var pipeline = features
            .Append(ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label"))
            .AppendCacheCheckpoint(ml) // SDCA makes many passes: compute the features once
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("LabelKey", "Features"));
        using var fitted = pipeline.Fit(train);
        IDataView scored = fitted.Transform(test);
        var metrics = ml.MulticlassClassification.Evaluate(scored, labelColumnName: "LabelKey");
        return (metrics.MicroAccuracy, scored.Schema["Features"].Type is VectorDataViewType v ? v.Size : 1);
    }
}

using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Vae.Inference;
using Vae.MLNet;
using Vae.Training.Data;

namespace Vae.Cli.Commands;

/// <summary>
/// <c>vae classify</c>: VAE embeddings as features. ML.NET's SdcaMaximumEntropy is trained on embeddings of labelled
/// training images (MNIST's by default) and scored on a test set, next to the same trainer on raw pixels.
/// </summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var model = PictureInputs.ModelOption();
        var data = new DataOptionsSet("Labelled training images: an MNIST folder (tested on its t10k split), a folder of images with one sub-folder per class, a .csv with --label-column or an idx file with --labels");
        var train = new Option<int>("--train") { Description = "Training images used, picked at random with --seed (0: all)", DefaultValueFactory = _ => 10000 };
        var kind = new Option<VaeEmbeddingKind>("--kind") { Description = "Embedding: Mean, MeanAndLogVar, Sample or ReconstructionError", DefaultValueFactory = _ => VaeEmbeddingKind.Mean };
        var seed = new Option<int>("--seed") { Description = "ML.NET seed", DefaultValueFactory = _ => 1 };

        var command = new Command("classify", "SdcaMaximumEntropy (ML.NET) on VAE embeddings vs on raw pixels: test accuracy.") { model, train, kind, seed };
        foreach (Option o in data.TrainAndTest) command.Options.Add(o);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            int trainImages = parse.GetValue(train);
            if (trainImages < 0) throw new ArgumentException($"--train is {trainImages}; expected 0 (all) or a positive count.", "--train");
            string modelPath = parse.GetValue(model)!;
            using VaeModel probe = VaeModel.Load(modelPath);
            var (trainSet, testSet) = data.Load(parse, 0, recorded: probe.Info.Normalization);
            if (testSet is null)
                throw new ArgumentException("classify needs a test set: pass --test-data (an MNIST folder as --data brings its t10k split).", data.TestData.Name);
            trainSet = LabelledDataView.Sample(trainSet, trainImages, parse.GetValue(seed));
            LabelledDataView.Check(trainSet, probe, data.Data.Name, parse.GetValue(data.Data)!);
            LabelledDataView.Check(testSet, probe, data.TestData.Name, parse.GetValue(data.TestData) ?? parse.GetValue(data.Data)!);

            var ml = new MLContext(seed: parse.GetValue(seed));
            IDataView trainView = ml.Data.Cache(LabelledDataView.Load(ml, trainSet));
            IDataView testView = ml.Data.Cache(LabelledDataView.Load(ml, testSet));
            Console.WriteLine($"SdcaMaximumEntropy trained on {trainSet.Count} training images, accuracy on the {testSet.Count} test images:");
            Console.WriteLine($"  {"features",-34} {"dims",5} {"accuracy",9} {"seconds",8}");

            var embedding = ml.Transforms.VaeEmbedding(new VaeEmbeddingOptions
            {
                OutputColumnName = "Features", InputColumnName = "Pixels", ModelPath = modelPath, Kind = parse.GetValue(kind),
            });
            IEstimator<ITransformer> vae = embedding.Append(ml.Transforms.NormalizeMinMax("Features")), raw = ml.Transforms.CopyColumns("Features", "Pixels");

            // Untimed warm-up: fill the data caches and JIT-compile ML.NET's code, so the seconds compare the pipelines, not who ran first.
            foreach (IDataView view in new[] { trainView, testView })
                foreach (VBuffer<float> _ in view.GetColumn<VBuffer<float>>("Pixels")) { }
            IDataView fewTrain = ml.Data.TakeRows(trainView, 500), fewTest = ml.Data.TakeRows(testView, 500);
            int classes = Math.Max(trainSet.ClassCount, testSet.ClassCount);
            Score(ml, vae, fewTrain, fewTest, classes);
            Score(ml, raw, fewTrain, fewTest, classes);

            Report(ml, $"VAE {parse.GetValue(kind)} (ML.NET)", vae, trainView, testView, classes);
            Report(ml, "raw pixels", raw, trainView, testView, classes);
        }));
        return command;
    }

    /// <summary>Prints the test accuracy of <paramref name="features"/> + SdcaMaximumEntropy and the seconds it took.</summary>
    private static void Report(MLContext ml, string name, IEstimator<ITransformer> features, IDataView train, IDataView test, int classes)
    {
        var clock = Stopwatch.StartNew();
        var (accuracy, dims) = Score(ml, features, train, test, classes);
        Console.WriteLine($"  {name,-34} {dims,5} {accuracy,9:P2} {clock.Elapsed.TotalSeconds,8:F1}");
    }

    /// <summary>Appends label mapping and the trainer to <paramref name="features"/>, fits on train; returns test accuracy and feature size.</summary>
    /// <remarks>The keys are every class of both sets, fixed in advance: with keys learnt from the training rows alone, a test
    /// row of a class absent from them would be a missing label, which the evaluator skips, and the accuracy would count
    /// only the classes the training rows hold.</remarks>
    private static (double Accuracy, int Dims) Score(MLContext ml, IEstimator<ITransformer> features, IDataView train, IDataView test, int classes)
    {
        IDataView keys = ml.Data.LoadFromEnumerable(Enumerable.Range(0, classes).Select(c => new ClassKey { Label = (uint)c }));
        var pipeline = features
            .Append(ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label", keyData: keys))
            .AppendCacheCheckpoint(ml) // SDCA makes many passes: compute the features once
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("LabelKey", "Features"));
        using var fitted = pipeline.Fit(train);
        IDataView scored = fitted.Transform(test);
        var metrics = ml.MulticlassClassification.Evaluate(scored, labelColumnName: "LabelKey");
        return (metrics.MicroAccuracy, scored.Schema["Features"].Type is VectorDataViewType v ? v.Size : 1);
    }

    private sealed class ClassKey
    {
        public uint Label { get; set; }
    }
}

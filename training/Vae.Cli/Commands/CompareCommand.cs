using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Vae.Cli.Compare;
using Vae.Cli.Pictures;
using Vae.Inference;
using Vae.Training.Data;

namespace Vae.Cli.Commands;

/// <summary>
/// <c>vae compare</c>: the VAE, a deterministic autoencoder of the same architecture (<c>vae train --objective ae</c>) and PCA
/// with as many components as the latent has dimensions, side by side: reconstruction error, k-means purity and NMI of the
/// codes, a linear classifier's accuracy on the codes, and how far each one's codes are from the N(0, I) its samples come from.
/// </summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var model = PictureInputs.ModelOption();
        var ae = new Option<string>("--ae") { Description = "Exported deterministic autoencoder of the VAE's architecture (vae train --objective ae, then vae export)", Required = true };
        var data = new DataOptionsSet("Labelled data: an MNIST folder (PCA and the linear classifier fit its training images, the figures come from its t10k split), or any labelled data with --test-data");
        var train = new Option<int>("--train") { Description = "Training samples that fit PCA and the linear classifiers (the first N; 0: all)", DefaultValueFactory = _ => 10000 };
        var count = new Option<int>("--count") { Description = "Test samples measured (the first N; 0: all)", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "Seed of PCA, k-means, ML.NET and the samples", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the table" };
        var output = new Option<string?>("--out") { Description = "Also draw a PNG: test images, each method's reconstructions, and each method's samples" };
        var columns = new Option<int>("--columns") { Description = "Images per row of the picture", DefaultValueFactory = _ => 10 };

        var command = new Command("compare", "VAE vs deterministic autoencoder vs PCA on one data set: reconstruction MSE, k-means purity/NMI and linear accuracy of the codes, and whether prior samples look like data.")
        {
            model, ae, train, count, seed, json, output, columns,
        };
        foreach (Option o in data.TrainAndTest) command.Options.Add(o);
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            string? picture = parse.GetValue(output);
            if (picture is not null) PngFile.CheckPath(picture);
            int trainCount = PictureInputs.AtLeast(parse, train, 0), testCount = PictureInputs.AtLeast(parse, count, 0);
            int perRow = PictureInputs.PerSide(parse, columns, 1);
            int s = parse.GetValue(seed);
            using VaeModel vae = VaeModel.Load(parse.GetValue(model)!);
            using VaeModel autoencoder = VaeModel.Load(parse.GetValue(ae)!);
            CheckPair(vae, autoencoder, parse.GetValue(model)!, parse.GetValue(ae)!);
            var (trainSet, loadedTest) = data.Load(parse, trainCount, recorded: vae.Info.Normalization);
            Dataset testSet = loadedTest is null
                ? throw new ArgumentException("compare needs a test set: pass --test-data (an MNIST folder as --data brings its t10k split).", data.TestData.Name)
                : testCount > 0 ? loadedTest.Take(testCount) : loadedTest;
            LabelledDataView.Check(trainSet, vae, data.Data.Name, parse.GetValue(data.Data)!);
            LabelledDataView.Check(testSet, vae, data.TestData.Name, parse.GetValue(data.TestData) ?? parse.GetValue(data.Data)!);
            if (trainSet.Count <= vae.LatentSize)
                throw new ArgumentException($"PCA of {vae.LatentSize} components needs more than {vae.LatentSize} training samples; --train gives {trainSet.Count}.", train.Name);

            var ml = new MLContext(seed: s);
            PcaCodec pca = PcaCodec.Fit(ml, trainSet.Features, vae.InputSize, vae.LatentSize, s);
            string k = vae.LatentSize.ToString(CultureInfo.InvariantCulture);
            CodeFigures Network(string name, VaeModel m) => CodeFigures.Measure(ml, name, m.LatentSize,
                trainSet, m.Encode(trainSet.Features).Mean, testSet, m.Encode(testSet.Features).Mean,
                m.Reconstruct(testSet.Features), priorIsStandardNormal: true, $"decode z ~ N(0, I_{k})", s);
            CodeFigures[] rows =
            [
                Network("VAE", vae),
                Network("AE", autoencoder),
                CodeFigures.Measure(ml, "PCA", pca.Rank, trainSet, pca.Encode(trainSet.Features), testSet, pca.Encode(testSet.Features),
                                    pca.Reconstruct(testSet.Features), priorIsStandardNormal: false, "mean + V c, c ~ N(0, diag λ) of its codes", s),
            ];
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new { train_count = trainSet.Count, test_count = testSet.Count, methods = rows }));
            else
                Print(rows, trainSet.Count, testSet.Count);
            if (picture is null) return;
            var (w, h) = Draw(picture, vae, autoencoder, pca, testSet, Math.Min(perRow, testSet.Count), s);
            if (!parse.GetValue(json)) Console.WriteLine($"wrote {picture} ({w}×{h}: test images, reconstructions and samples of each method)");
        }));
        return command;
    }

    /// <summary>Both networks unconditional, of one input and code size; the VAE a VAE and the AE an autoencoder.</summary>
    private static void CheckPair(VaeModel vae, VaeModel autoencoder, string vaePath, string aePath)
    {
        if (vae.Info.IsAutoencoder)
            throw new ArgumentException($"{vaePath} is a deterministic autoencoder (metadata vae.objective); --model takes the VAE, --ae the autoencoder.", "--model");
        if (!autoencoder.Info.IsAutoencoder)
            throw new ArgumentException($"{aePath} is a VAE, not a deterministic autoencoder; train one with 'vae train --objective ae' and the VAE's architecture, then export it.", "--ae");
        if (autoencoder.Classes > 0 || vae.Classes > 0)
            throw new ArgumentException($"compare needs unconditional models; {(vae.Classes > 0 ? vaePath : aePath)} is conditional (its codes would be given the label they are scored against).", vae.Classes > 0 ? "--model" : "--ae");
        if (autoencoder.InputSize != vae.InputSize || autoencoder.LatentSize != vae.LatentSize)
            throw new ArgumentException($"{aePath} reads {autoencoder.InputSize} values into {autoencoder.LatentSize}-D codes; the VAE reads {vae.InputSize} into {vae.LatentSize}-D: compare models of one input and code size.", "--ae");
    }

    private static void Print(IReadOnlyList<CodeFigures> rows, int trainCount, int testCount)
    {
        Console.WriteLine($"{testCount:N0} test samples; PCA and the linear classifiers fitted on {trainCount:N0} training samples");
        Console.WriteLine($"  {"method",-6} {"code",5} {"recon MSE",10} {"k-means purity",15} {"NMI",6} {"linear acc",11} {"prior gap",10}  samples");
        foreach (CodeFigures r in rows)
        {
            string gap = r.PriorGap is double g ? g.ToString("F1", CultureInfo.InvariantCulture) : "-";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {r.Method,-6} {r.CodeSize,5} {r.ReconstructionMse,10:F5} {Pct(r.KMeansPurity, 1),15} {r.KMeansNmi,6:F3} {Pct(r.LinearAccuracy, 2),11} {gap,10}  {r.Sampling}"));
        }
        Console.WriteLine("prior gap: KL in nats from N(0, I) of a Gaussian fitted to the test codes; near 0, decoded N(0, I) samples resemble the data.");
    }

    private static string Pct(double fraction, int decimals) => (fraction * 100).ToString($"F{decimals}", CultureInfo.InvariantCulture) + "%";

    private static (int Width, int Height) Draw(string path, VaeModel vae, VaeModel autoencoder, PcaCodec pca, Dataset test, int n, int seed)
    {
        float[] inputs = test.Features.AsSpan(0, n * vae.InputSize).ToArray();
        var grid = new ImageGrid(vae.Info.ImageShape, n)
        {
            Title = $"VAE vs AE vs PCA ({vae.LatentSize}-D codes): test images 0–{n - 1}, reconstructions, samples",
            RowLabels = ["input", "VAE", "AE", "PCA", "VAE samples", "AE samples", "PCA samples"],
        };
        grid.AddBatch(inputs);
        grid.AddBatch(vae.Reconstruct(inputs));
        grid.AddBatch(autoencoder.Reconstruct(inputs));
        grid.AddBatch(Clamped(pca.Reconstruct(inputs)));
        grid.AddBatch(vae.Generate(n, seed));
        grid.AddBatch(autoencoder.Generate(n, seed));
        grid.AddBatch(Clamped(pca.Sample(n, seed)));
        return grid.Save(path);
    }

    private static float[] Clamped(float[] x) => x.Select(v => Math.Clamp(v, 0f, 1f)).ToArray();
}

using System.CommandLine;
using System.Globalization;
using Vae.Inference;
using Vae.Training.Classifiers;
using Vae.Training.Data;
using Vae.Training.Missing;
using Vae.Training.Models;
using Vae.Training.Training;

namespace Vae.Cli.Commands;

/// <summary>
/// The figures <c>vae evaluate</c> adds for the seeds' applications: denoising (<c>--noise σ</c>), imputation
/// (<c>--mask KIND</c>) and, for a conditional model, whether its samples are of the class asked for (a judge classifier
/// trained once on the training set and kept in <c>--judge</c>).
/// </summary>
internal sealed class EvaluateApplications
{
    public readonly Option<double?> Noise = new("--noise") { Description = "Also measure denoising: add N(0, σ²) noise to the test inputs (clipped to [0, 1] for Bernoulli models, the draws of 'vae reconstruct --noise') and report noisy_mse and denoised_mse" };
    public readonly Option<string?> Mask = new("--mask") { Description = "Also measure imputation: hide values (bottom-half or random:P), fill them with the model and report imputed_mse and mean_fill_mse on the hidden values" };
    public readonly Option<int> Iterations = new("--iterations") { Description = "--mask: reconstruct-and-replace passes of the imputation (as 'vae impute')", DefaultValueFactory = _ => 10 };
    public readonly Option<string?> Judge = new("--judge") { Description = "Conditional models: folder of the judge classifier, trained once on the training set (MNIST's training images, or --data when --test-data is given) and reused while the data is the same (default: judge/ in --model)" };
    public readonly Option<int> SamplesPerClass = new("--samples-per-class") { Description = "Conditional models: prior samples per class the judge looks at", DefaultValueFactory = _ => 1000 };

    public IEnumerable<Option> All => [Noise, Mask, Iterations, Judge, SamplesPerClass];

    /// <summary>Checks the options before the (long) evaluation starts.</summary>
    /// <exception cref="ArgumentException">A σ that is not &gt; 0, a mask that is not bottom-half or random:P, or fewer than 1 iteration or sample.</exception>
    public void Check(ParseResult parse)
    {
        if (parse.GetValue(Noise) is double sigma && (!(sigma > 0) || !double.IsFinite(sigma)))
            throw new ArgumentException($"--noise is {sigma.ToString(CultureInfo.InvariantCulture)}; expected a standard deviation > 0.", Noise.Name);
        if (parse.GetValue(Mask) is string text && !MissingMask.Parse(text, Mask.Name).HidesValues)
            throw new ArgumentException($"--mask is '{text}'; evaluate needs values it can score: bottom-half or random:P.", Mask.Name);
        PictureInputs.AtLeast(parse, Iterations, 1);
        PictureInputs.AtLeast(parse, SamplesPerClass, 1);
    }

    /// <summary>The report with the figures the options ask for, and the conditional figures for a conditional model: through
    /// TorchSharp for a checkpoint (<paramref name="module"/>), through ONNX Runtime for an exported pair (<paramref name="pair"/>).</summary>
    public TestReport Add(TestReport report, ParseResult parse, VaeModule? module, VaeModel? pair, Dataset test, DataOptionsSet data, string modelFolder, long seed, bool quiet)
    {
        Check(parse);
        if (parse.GetValue(Noise) is double sigma)
        {
            DenoisingFigures figures = module is not null ? DenoisingEvaluation.Measure(module, test, sigma, seed) : DenoisingEvaluation.Measure(pair!, test, sigma, seed);
            report = report with { Noise = sigma, NoisyMse = figures.NoisyMse, DenoisedMse = figures.DenoisedMse };
        }
        if (parse.GetValue(Mask) is string text)
        {
            MissingMask mask = MissingMask.Parse(text, Mask.Name);
            int passes = parse.GetValue(Iterations);
            bool[] observed = mask.Observed(test, seed);
            float[] completed = module is not null
                ? Imputation.Complete(module, test, observed, passes)
                : pair!.Impute(test.Features, observed, passes, PictureInputs.ClassLabels(pair, test.Labels));
            ImputationScore score = ImputationScore.Measure(test.Features, observed, completed, test.SampleSize);
            report = report with { Mask = mask.ToString(), ImputedMse = score.ImputedMse, MeanFillMse = score.MeanFillMse };
        }
        if ((module?.Config.Classes ?? pair!.Classes) > 0)
        {
            int perClass = parse.GetValue(SamplesPerClass);
            string folder = parse.GetValue(Judge) ?? Path.Combine(modelFolder, "judge");
            Dataset train = JudgeTrainingSet(parse, data, module is not null ? Checkpoint.ReadNormalization(modelFolder) : pair!.Info.Normalization);
            using JudgeClassifier judge = JudgeClassifier.LoadOrTrain(folder, train, null, out bool trained);
            if (trained && !quiet) Console.Error.WriteLine($"judge: trained on {train.Count:N0} training samples, kept in {folder}");
            ConditionalSampleReport samples = module is not null
                ? ConditionalSampleAccuracy.Measure(module, judge, perClass, seed)
                : ConditionalSampleAccuracy.Measure(pair!, judge, perClass, seed);
            report = report with
            {
                ConditionalSampleAccuracy = samples.Accuracy, ConditionalSampleAccuracyPerClass = samples.PerClass,
                SamplesPerClass = perClass, JudgeAccuracyOnReal = judge.Accuracy(test),
            };
        }
        return report;
    }

    /// <summary>The judge's training set: an MNIST folder's training images, or <c>--data</c> itself when <c>--test-data</c> is the test set.</summary>
    private static Dataset JudgeTrainingSet(ParseResult parse, DataOptionsSet data, InputNormalization? normalization)
    {
        string path = parse.GetValue(data.Data)!;
        if (DataSource.IsMnistFolder(path)) return data.LoadTrainSplitOfData(parse, 0, normalization);
        if (parse.GetValue(data.TestData) is null)
            throw new ArgumentException($"the conditional figures train a judge on the training set; {path} is not an MNIST folder, so give the training set as --data and the test set as --test-data.", data.TestData.Name);
        return data.LoadTestOfData(parse, 0, normalization);
    }

    /// <summary>The added figures as text lines (none when nothing was measured).</summary>
    public static void Print(TestReport report)
    {
        if (report.Noise is double sigma)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"denoising σ {sigma:0.###}   noisy {report.NoisyMse,9:F5}   denoised {report.DenoisedMse,9:F5} mean squared error per value"));
        if (report.Mask is string mask)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"imputation {mask}   imputed {report.ImputedMse,9:F5}   column-mean fill {report.MeanFillMse,9:F5} mean squared error on the hidden values"));
        if (report.ConditionalSampleAccuracy is double accuracy)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"conditional samples {accuracy * 100,6:F1}% of {report.SamplesPerClass:N0} per class judged the class asked for (per class: {string.Join(" ", report.ConditionalSampleAccuracyPerClass!.Select(a => (a * 100).ToString("F0", CultureInfo.InvariantCulture)))})"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"judge on real     {report.JudgeAccuracyOnReal * 100,6:F1}% of the test set"));
            if (report.JudgeAccuracyOnReal < 0.97)
                Console.Error.WriteLine("warning: the judge classifies less than 97% of the real test set correctly; its verdict on samples is unreliable.");
        }
    }
}

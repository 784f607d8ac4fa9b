using TorchSharp;
using Vae.Tests;
using Vae.Training.Classifiers;
using Vae.Training.Data;
using Vae.Training.Models;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

/// <summary>The judge classifier and the conditional sample accuracy it measures, on toy data of two classes.</summary>
public class JudgeClassifierTests
{
    private static readonly JudgeOptions Quick = new() { HiddenSize = 16, Epochs = 20, BatchSize = 16, LearningRate = 1e-2 };

    /// <summary>Class 0 lights the first six of twelve values, class 1 the last six, with seeded noise.</summary>
    private static Dataset TwoClasses(int count, int seed)
    {
        var random = new Random(seed);
        var labels = Enumerable.Range(0, count).Select(i => i % 2).ToArray();
        var x = new float[count * 12];
        for (int i = 0; i < count; i++)
            for (int j = 0; j < 12; j++) x[i * 12 + j] = Math.Clamp((j < 6) == (labels[i] == 0) ? 0.8f + 0.2f * random.NextSingle() : 0.2f * random.NextSingle(), 0, 1);
        return new Dataset(x, [12], labels, 2);
    }

    [Fact]
    public void A_judge_learns_two_classes_and_is_the_same_for_the_same_seed()
    {
        using var judge = JudgeClassifier.Train(TwoClasses(200, 1), Quick);
        using var again = JudgeClassifier.Train(TwoClasses(200, 1), Quick);
        Dataset test = TwoClasses(100, 2);
        Assert.Equal(1.0, judge.Accuracy(test));
        using Tensor x = Evaluation.ToTensor(test);
        Assert.Equal(test.Labels!.Select(l => (long)l), judge.Predict(x));
        Assert.Equal(judge.Record, again.Record);
    }

    [Fact]
    public void A_judge_is_kept_in_its_folder_and_trained_again_only_for_other_data()
    {
        string folder = RepoPaths.NewTempFolder();
        Dataset train = TwoClasses(200, 1), test = TwoClasses(50, 2);
        using var first = JudgeClassifier.LoadOrTrain(folder, train, Quick, out bool trainedFirst);
        using var second = JudgeClassifier.LoadOrTrain(folder, train, Quick, out bool trainedSecond);
        Assert.True(trainedFirst);
        Assert.False(trainedSecond);
        using Tensor x = Evaluation.ToTensor(test);
        Assert.Equal(first.Predict(x), second.Predict(x));
        Assert.Equal(JudgeClassifier.Fingerprint(train), second.Record.DataSha256);

        using var other = JudgeClassifier.LoadOrTrain(folder, TwoClasses(200, 3), Quick, out bool trainedOther);
        Assert.True(trainedOther);
        Assert.Equal(JudgeClassifier.Fingerprint(TwoClasses(200, 3)), JudgeClassifier.Load(folder).Record.DataSha256);
    }

    [Fact]
    public void Bad_training_data_inputs_and_files_are_refused_with_what_was_expected()
    {
        var unlabelled = new Dataset(new float[24], [12]);
        Assert.Contains("has no labels", Assert.Throws<ArgumentException>(() => JudgeClassifier.Train(unlabelled, Quick)).Message);
        var oneClass = new Dataset(new float[24], [12], [0, 0]);
        Assert.Contains("has 1 class; expected at least 2", Assert.Throws<ArgumentException>(() => JudgeClassifier.Train(oneClass, Quick)).Message);
        Assert.Contains("HiddenSize is 0", Assert.Throws<ArgumentException>(() => JudgeClassifier.Train(TwoClasses(10, 1), Quick with { HiddenSize = 0 })).Message);

        using var judge = JudgeClassifier.Train(TwoClasses(20, 1), Quick with { Epochs = 1 });
        using Tensor wrong = zeros(3, 11);
        Assert.Contains("expected 12 values per row", Assert.Throws<ArgumentException>(() => judge.Predict(wrong)).Message);

        string folder = RepoPaths.NewTempFolder();
        judge.Save(folder);
        File.WriteAllText(Path.Combine(folder, JudgeClassifier.RecordFile), "{ \"input_size\": ");
        Assert.Contains(JudgeClassifier.RecordFile, Assert.Throws<InvalidDataException>(() => JudgeClassifier.Load(folder)).Message);
    }

    [Fact]
    public void A_conditional_vae_that_learnt_its_classes_draws_them_and_an_unconditional_one_is_refused()
    {
        Dataset train = TwoClasses(256, 1);
        using var judge = JudgeClassifier.Train(train, Quick);
        torch.random.manual_seed(5);
        using var model = new MlpVae(TinyVae.Config with { Classes = 2 });
        new Trainer(model, new TrainOptions { Epochs = 20, BatchSize = 32, LearningRate = 1e-2 }).Fit(train);

        ConditionalSampleReport report = ConditionalSampleAccuracy.Measure(model, judge, samplesPerClass: 200, seed: 1);
        Assert.Equal(2, report.PerClass.Length);
        Assert.Equal(200, report.SamplesPerClass);
        Assert.Equal(report.PerClass.Average(), report.Accuracy, 12);
        Assert.True(report.Accuracy >= 0.95, $"only {report.Accuracy:P1} of the samples are of the class asked for");
        Assert.Equal(report.PerClass, ConditionalSampleAccuracy.Measure(model, judge, samplesPerClass: 200, seed: 1).PerClass);

        using var unconditional = new MlpVae(TinyVae.Config);
        Assert.Contains("not conditional", Assert.Throws<ArgumentException>(() => ConditionalSampleAccuracy.Measure(unconditional, judge)).Message);
        using var threeClasses = new MlpVae(TinyVae.Config with { Classes = 3 });
        Assert.Contains("the judge tells 2 classes apart", Assert.Throws<ArgumentException>(() => ConditionalSampleAccuracy.Measure(threeClasses, judge)).Message);
    }
}

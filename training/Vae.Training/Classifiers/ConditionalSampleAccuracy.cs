using TorchSharp;
using Vae.Inference;
using Vae.Training.Models;
using static TorchSharp.torch;

namespace Vae.Training.Classifiers;

/// <summary>How often a conditional model's prior samples are of the class asked for, as a judge sees them.</summary>
/// <param name="Accuracy">Fraction of all samples the judge assigns to the asked class.</param>
/// <param name="PerClass">The same fraction for each class (index = class).</param>
/// <param name="SamplesPerClass">Prior samples drawn for each class.</param>
public sealed record ConditionalSampleReport(double Accuracy, double[] PerClass, int SamplesPerClass);

/// <summary>
/// The test of a conditional VAE's obedience: for every class c, draw z ~ N(0, I), decode it with label c (pixel
/// probabilities for a Bernoulli model, means for a Gaussian one) and ask a <see cref="JudgeClassifier"/> trained on
/// real data what it sees. A model that ignores its label scores about 1 / classes.
/// </summary>
public static class ConditionalSampleAccuracy
{
    /// <summary>Judges <paramref name="samplesPerClass"/> prior samples per class, z drawn from a generator seeded with <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentException">The model is not conditional, or the judge reads another input size or number of classes.</exception>
    public static ConditionalSampleReport Measure(VaeModule model, JudgeClassifier judge, int samplesPerClass = 1000, long seed = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(judge);
        ArgumentOutOfRangeException.ThrowIfLessThan(samplesPerClass, 1);
        VaeConfig config = model.Config;
        if (config.Classes == 0) throw new ArgumentException("the model is not conditional (0 classes); conditional sample accuracy needs a model trained with labels.", nameof(model));
        if (judge.Classes != config.Classes || judge.InputSize != config.InputSize)
            throw new ArgumentException($"the judge tells {judge.Classes} classes apart from {judge.InputSize} values; the model draws {config.Classes} classes of {config.InputSize} values.", nameof(judge));

        model.eval();
        using var noGrad = no_grad();
        using var generator = new Generator((ulong)seed);
        var perClass = new double[config.Classes];
        for (int c = 0; c < config.Classes; c++)
        {
            using var scope = NewDisposeScope();
            Tensor z = randn([samplesPerClass, config.LatentSize], generator: generator);
            Tensor y = LayeredVae.OneHot(full([samplesPerClass], c, ScalarType.Int64), config.Classes);
            Tensor output = model.Decode(z, y).flatten(1);
            if (config.Likelihood == Likelihood.Bernoulli) output = output.sigmoid();
            perClass[c] = judge.Predict(output).Count(p => p == c) / (double)samplesPerClass;
        }
        return new ConditionalSampleReport(perClass.Average(), perClass, samplesPerClass);
    }

    /// <summary>The same test for an exported pair, through ONNX Runtime: <see cref="VaeModel.Generate(int[], long, float)"/> draws
    /// z from the pair's own seeded generator (other draws than TorchSharp's for the same seed).</summary>
    /// <exception cref="ArgumentException">The pair is not conditional, or the judge reads another input size or number of classes.</exception>
    public static ConditionalSampleReport Measure(VaeModel pair, JudgeClassifier judge, int samplesPerClass = 1000, long seed = 1)
    {
        ArgumentNullException.ThrowIfNull(pair);
        ArgumentNullException.ThrowIfNull(judge);
        ArgumentOutOfRangeException.ThrowIfLessThan(samplesPerClass, 1);
        if (pair.Classes == 0) throw new ArgumentException("the model is not conditional (0 classes); conditional sample accuracy needs a model trained with labels.", nameof(pair));
        if (judge.Classes != pair.Classes || judge.InputSize != pair.InputSize)
            throw new ArgumentException($"the judge tells {judge.Classes} classes apart from {judge.InputSize} values; the model draws {pair.Classes} classes of {pair.InputSize} values.", nameof(judge));
        var perClass = new double[pair.Classes];
        for (int c = 0; c < pair.Classes; c++)
        {
            float[] samples = pair.Generate(Enumerable.Repeat(c, samplesPerClass).ToArray(), seed + c);
            using Tensor x = tensor(samples, [samplesPerClass, pair.InputSize]);
            perClass[c] = judge.Predict(x).Count(p => p == c) / (double)samplesPerClass;
        }
        return new ConditionalSampleReport(perClass.Average(), perClass, samplesPerClass);
    }
}

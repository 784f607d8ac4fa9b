using TorchSharp;
using Vae.Tests;
using Vae.Training.Data;
using Vae.Training.Models;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

public class ConditionalVaeTests
{
    [Fact]
    public void Cvae_generates_the_requested_digit()
    {
        string mnist = RepoPaths.RequireMnist();
        Dataset train = Mnist.LoadTrain(mnist).Take(10_000);
        torch.random.manual_seed(10);
        // A 2-d latent leaves the digit's identity to the label, as a CVAE intends.
        var config = new VaeConfig { HiddenSizes = [256], LatentSize = 2, Classes = 10 };
        using var model = new MlpVae(config);
        new Trainer(model, new TrainOptions { Epochs = 3, BatchSize = 64, LearningRate = 3e-3 }).Fit(train);

        // An independent judge: softmax regression trained on the same images (about 90% on real test digits).
        using Tensor images = Evaluation.ToTensor(train).flatten(1);
        using Tensor labels = tensor(train.Labels!.Select(l => (long)l).ToArray());
        using var judge = nn.Linear(784, 10);
        using (var optimizer = optim.Adam(judge.parameters(), 0.05))
        {
            for (int step = 0; step < 100; step++)
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                nn.functional.cross_entropy(judge.forward(images), labels).backward();
                optimizer.step();
            }
        }
        Dataset test = Mnist.LoadTest(mnist).Take(2_000);
        using Tensor testImages = Evaluation.ToTensor(test).flatten(1);
        using Tensor testLabels = tensor(test.Labels!.Select(l => (long)l).ToArray());
        double judgeAccuracy;
        using (no_grad()) judgeAccuracy = judge.forward(testImages).argmax(1).eq(testLabels).to_type(ScalarType.Float32).mean().item<float>();
        Assert.True(judgeAccuracy > 0.85, $"the judge reaches only {judgeAccuracy:P1} on real test digits");

        using var generator = new Generator(1);
        int correct = 0, total = 0;
        for (int digit = 0; digit < 10; digit++)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            Tensor samples = model.Sample(20, digit, generator).flatten(1);
            correct += (int)judge.forward(samples).argmax(1).eq(digit).sum().ToInt64();
            total += 20;
        }
        Assert.True(correct >= 0.8 * total, $"{correct}/{total} samples are judged to be the requested digit (judge: {judgeAccuracy:P1} on real digits)");
    }
}

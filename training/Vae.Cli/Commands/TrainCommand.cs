using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using TorchSharp;
using Vae.Training;
using Vae.Training.Data;
using Vae.Training.Models;
using Vae.Training.Training;

namespace Vae.Cli.Commands;

/// <summary><c>vae train</c>: trains an MLP VAE on MNIST and saves a checkpoint folder.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Folder with the four MNIST idx files", DefaultValueFactory = _ => Mnist.DefaultFolder };
        var output = new Option<string>("--out") { Description = "Run folder for the checkpoint, config.json and metrics.csv", DefaultValueFactory = _ => "runs/mnist" };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training set", DefaultValueFactory = _ => 10 };
        var batchSize = new Option<int>("--batch-size") { Description = "Samples per batch", DefaultValueFactory = _ => 128 };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 1e-3 };
        var seed = new Option<long>("--seed") { Description = "Seed for weights, shuffling and sampling", DefaultValueFactory = _ => 1 };
        var hidden = new Option<string>("--hidden") { Description = "Hidden layer sizes, comma-separated", DefaultValueFactory = _ => "400" };
        var latent = new Option<int>("--latent") { Description = "Latent size", DefaultValueFactory = _ => 20 };
        var activation = new Option<string>("--activation") { Description = "relu, leaky_relu, elu, silu, gelu or tanh", DefaultValueFactory = _ => "relu" };
        var beta = new Option<double>("--beta") { Description = "Weight of the KL term", DefaultValueFactory = _ => 1.0 };
        var limit = new Option<int>("--limit") { Description = "Use only the first N training images (0: all)", DefaultValueFactory = _ => 0 };

        var command = new Command("train", "Train an MLP VAE on MNIST (Bernoulli likelihood on [0,1] pixels, Adam).")
        {
            data, output, epochs, batchSize, lr, seed, hidden, latent, activation, beta, limit,
        };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var options = new TrainOptions
            {
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batchSize),
                LearningRate = parse.GetValue(lr),
                Seed = parse.GetValue(seed),
                Beta = parse.GetValue(beta),
            }.Validate();
            var config = new VaeConfig
            {
                HiddenSizes = ParseSizes(parse.GetValue(hidden)!, "--hidden"),
                LatentSize = parse.GetValue(latent),
                Activation = parse.GetValue(activation)!,
            }.Validate();
            Run(parse.GetValue(data)!, parse.GetValue(output)!, config, options, parse.GetValue(limit));
        }));
        return command;
    }

    private static void Run(string dataFolder, string runFolder, VaeConfig config, TrainOptions options, int limit)
    {
        Dataset train = Mnist.LoadTrain(dataFolder);
        Dataset test = Mnist.LoadTest(dataFolder);
        if (limit > 0) train = train.Take(limit);
        Console.WriteLine($"MNIST: {train.Count} train, {test.Count} test images from {dataFolder}");

        torch.random.manual_seed(options.Seed);
        using VaeModule model = Checkpoint.Create(config);
        Console.WriteLine($"model: {config.Architecture} {config.InputSize}-{string.Join("-", config.HiddenSizes)}-{config.LatentSize}, {config.Activation}, {config.Likelihood}; " +
                          $"Adam lr {options.LearningRate}, batch {options.BatchSize}, {options.Epochs} epochs, seed {options.Seed}");

        Directory.CreateDirectory(runFolder);
        string metricsPath = Path.Combine(runFolder, "metrics.csv");
        var lines = new List<string> { "epoch,train_loss,test_neg_elbo,test_reconstruction,test_kl,seconds" };
        var reports = new Trainer(model, options).Fit(train, test, report =>
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {report.Epoch,3}  train loss {report.TrainLoss,8:F2}  test -ELBO {report.TestNegElbo,8:F2} nats  (recon {report.TestReconstruction:F2}, KL {report.TestKl:F2})  {report.Seconds:F1}s"));
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{report.Epoch},{report.TrainLoss:R},{report.TestNegElbo:R},{report.TestReconstruction:R},{report.TestKl:R},{report.Seconds:R}"));
            AtomicFile.WriteAllText(metricsPath, string.Join('\n', lines) + "\n");
        });

        EpochReport last = reports[^1];
        Checkpoint.Save(model, runFolder, new { options, epochs = last.Epoch, test_neg_elbo = last.TestNegElbo, train_count = train.Count, test_count = test.Count });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test negative ELBO after {last.Epoch} epochs: {last.TestNegElbo:F2} nats per image"));
        Console.WriteLine($"checkpoint: {runFolder}");
    }

    internal static int[] ParseSizes(string text, string option)
    {
        try
        {
            return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                       .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (FormatException)
        {
            throw new ArgumentException($"{option} is '{text}'; expected comma-separated sizes such as 512,256.", option);
        }
    }
}

using System.Globalization;
using Vae.Tests;
using Vae.Training.Data;

namespace Vae.Cli.Tests;

/// <summary><c>vae train</c> reading its training and test sets from different kinds of data.</summary>
public class TrainCommandTests
{
    [Fact]
    public void Csv_training_data_with_an_mnist_folder_as_test_data_tests_on_its_t10k_split()
    {
        string folder = RepoPaths.NewTempFolder(), mnist = RepoPaths.RequireMnist(), csv = Path.Combine(folder, "train.csv");
        Dataset train = Mnist.LoadTrain(mnist).Take(300);
        File.WriteAllLines(csv, Enumerable.Range(0, train.Count).Select(i =>
            string.Join(',', train.Features.AsSpan(i * 784, 784).ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));

        var (exit, output, error) = CliRun.Run("train", "--data", csv, "--shape", "1,28,28", "--test-data", mnist,
                                               "--hidden", "16", "--latent", "2", "--epochs", "1", "--out", Path.Combine(folder, "run"));
        Assert.True(exit == 0, error);
        Assert.Contains("data: 300 training samples of shape [1, 28, 28], 10000 test samples", output);
    }
}

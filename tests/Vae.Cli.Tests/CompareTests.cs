using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Vae.Cli.Compare;
using Vae.MLNet;
using Vae.Tests;

namespace Vae.Cli.Tests;

/// <summary><c>vae compare</c> and its parts: PCA through ML.NET, the prior gap, and the command on tiny models trained here.</summary>
public class CompareTests
{
    private static readonly Lazy<(string Vae, string Ae)> Pair = new(TrainPair, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly string folder = RepoPaths.NewTempFolder();

    /// <summary>784-32-4 VAE and autoencoder, one epoch on 500 MNIST images each, exported.</summary>
    private static (string Vae, string Ae) TrainPair()
    {
        string data = RepoPaths.RequireMnist(), root = RepoPaths.NewTempFolder();
        string[] common = ["--data", data, "--hidden", "32", "--latent", "4", "--epochs", "1", "--limit", "500", "--seed", "1"];
        CliRun.Setup(["train", "--out", Path.Combine(root, "vae-run"), .. common],
                     ["export", "--checkpoint", Path.Combine(root, "vae-run"), "--out", Path.Combine(root, "vae")],
                     ["train", "--out", Path.Combine(root, "ae-run"), "--objective", "ae", .. common],
                     ["export", "--checkpoint", Path.Combine(root, "ae-run"), "--out", Path.Combine(root, "ae")]);
        return (Path.Combine(root, "vae"), Path.Combine(root, "ae"));
    }

    /// <summary>Values per point of <see cref="SubspacePoints"/>: more than rank + ML.NET's oversampling (20), as its randomized PCA needs.</summary>
    private const int D = 64;

    /// <summary>200 points of R⁶⁴ on a 3-D affine subspace (a random basis, offset (1, …, 1)).</summary>
    private static float[] SubspacePoints()
    {
        var random = new Random(7);
        float[][] basis = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, D).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray()).ToArray();
        var x = new float[200 * D];
        for (int i = 0; i < 200; i++)
        {
            double[] c = [random.NextDouble() * 4 - 2, random.NextDouble() * 2 - 1, random.NextDouble() - 0.5];
            for (int j = 0; j < D; j++) x[i * D + j] = (float)(1 + c[0] * basis[0][j] + c[1] * basis[1][j] + c[2] * basis[2][j]);
        }
        return x;
    }

    [Fact]
    public void Pca_fitted_by_mlnet_finds_the_exact_subspace_and_its_codes_are_mlnets()
    {
        float[] x = SubspacePoints();
        var ml = new MLContext(seed: 1);
        PcaCodec pca = PcaCodec.Fit(ml, x, D, 3, seed: 1);

        Assert.InRange(pca.OrthonormalityError(), 0, 1e-4);
        // exact PCA (Jacobi on the covariance) of the same points: the same variances, and both reconstruct the subspace
        Pca exact = Pca.Fit(x, D);
        for (int k = 0; k < 3; k++) Assert.Equal(exact.Variances[k], pca.Variances[k], 1e-3 * exact.Variances[k]);
        Assert.InRange(CodeFigures.MeanSquaredError(x, pca.Reconstruct(x)), 0, 1e-9);

        // the codes are what ML.NET's transform gives for the centred rows
        float[] mean = Enumerable.Range(0, D).Select(j => Enumerable.Range(0, 200).Average(r => x[r * D + j])).ToArray();
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Values)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, D);
        IDataView view = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 200).Select(r => new Row { Values = Enumerable.Range(0, D).Select(j => x[r * D + j] - mean[j]).ToArray() }), schema);
        var transform = ml.Transforms.ProjectToPrincipalComponents("Code", nameof(Row.Values), rank: 3, ensureZeroMean: false, seed: 1).Fit(view);
        float[] expected = transform.Transform(view).GetColumn<VBuffer<float>>("Code").SelectMany(v => v.DenseValues()).ToArray();
        float[] codes = pca.Encode(x);
        for (int i = 0; i < codes.Length; i++) Assert.Equal(expected[i], codes[i], 1e-4f);

        Assert.Contains("PCA rank is 64; expected 1 to 63", Assert.Throws<ArgumentException>(() => PcaCodec.Fit(ml, x, D, D, 1)).Message);
        Assert.Contains("needs more than 3 samples; got 3", Assert.Throws<ArgumentException>(() => PcaCodec.Fit(ml, x.AsSpan(0, 3 * D).ToArray(), D, 3, 1)).Message);
    }

    [Fact]
    public void The_prior_gap_is_the_kl_of_the_fitted_gaussian_from_the_standard_normal()
    {
        // dimension 0: values 1, 3 (mean 2, variance 1): ½(1 + 4 − 1 − ln 1) = 2
        // dimension 1: values −2, 2 (mean 0, variance 4): ½(4 + 0 − 1 − ln 4) = 0.806853
        float[] codes = [1, -2, 3, 2];
        Assert.Equal(2 + 0.5 * (3 - Math.Log(4)), CodeFigures.PriorGapOf(codes, 2), 1e-9);
        Assert.Equal(0, CodeFigures.PriorGapOf([1, -1], 1), 1e-12);
    }

    [Fact]
    public void Compare_prints_one_row_per_method_as_json_and_draws_the_picture()
    {
        var (vae, ae) = Pair.Value;
        string data = RepoPaths.RequireMnist(), png = Path.Combine(folder, "compare.png");
        var (exit, output, error) = CliRun.Run("compare", "--model", vae, "--ae", ae, "--data", data, "--train", "600", "--count", "300", "--json", "--out", png, "--columns", "6");
        Assert.True(exit == 0, error);
        using JsonDocument json = JsonDocument.Parse(output);
        Assert.Equal(600, json.RootElement.GetProperty("train_count").GetInt32());
        Assert.Equal(300, json.RootElement.GetProperty("test_count").GetInt32());
        var methods = json.RootElement.GetProperty("methods").EnumerateArray().ToArray();
        Assert.Equal(["VAE", "AE", "PCA"], methods.Select(m => m.GetProperty("method").GetString()));
        foreach (JsonElement m in methods)
        {
            Assert.Equal(4, m.GetProperty("code_size").GetInt32());
            Assert.InRange(m.GetProperty("reconstruction_mse").GetDouble(), 1e-4, 0.2);
            Assert.InRange(m.GetProperty("kmeans_purity").GetDouble(), 0.1, 1);
            Assert.InRange(m.GetProperty("linear_accuracy").GetDouble(), 0.1, 1);
        }
        Assert.Equal(JsonValueKind.Null, methods[2].GetProperty("prior_gap_nats").ValueKind);
        Assert.True(methods[0].GetProperty("prior_gap_nats").GetDouble() >= 0);
        var (width, height) = CliRun.DecodedSize(png);
        Assert.True(height >= 7 * (28 * 3 + 2), $"7 rows of images expected; the picture is {width}×{height}");

        string text = CliRun.Setup(["compare", "--model", vae, "--ae", ae, "--data", data, "--train", "600", "--count", "300"]);
        Assert.Contains("VAE", text);
        Assert.Contains("prior gap", text);
    }

    [Fact]
    public void Compare_refuses_a_vae_as_the_autoencoder_and_mismatched_models()
    {
        var (vae, ae) = Pair.Value;
        string data = RepoPaths.RequireMnist();
        Assert.Contains("is a VAE, not a deterministic autoencoder", CliRun.Failure("compare", "--model", vae, "--ae", vae, "--data", data));
        Assert.Contains("--model takes the VAE, --ae the autoencoder", CliRun.Failure("compare", "--model", ae, "--ae", ae, "--data", data));
        Assert.Contains("compare models of one input and code size", CliRun.Failure("compare", "--model", TestModel.Folder, "--ae", ae, "--data", data));
        var (exit, _, error) = CliRun.Run("compare", "--model", vae, "--data", data);
        Assert.NotEqual(0, exit);
        Assert.Contains("--ae", error);
    }

    private sealed class Row
    {
        public float[] Values { get; set; } = [];
    }
}

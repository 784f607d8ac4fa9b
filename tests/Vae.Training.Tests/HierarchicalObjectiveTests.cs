using TorchSharp;
using Vae.Training.Data;
using Vae.Training.Losses;
using Vae.Training.Missing;
using Vae.Training.Models;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

/// <summary>The hierarchical ELBO and IWAE bound, the VampPrior and the KL guards against hand-computed and closed-form values.</summary>
public class HierarchicalObjectiveTests
{
    private static readonly double Log2Pi = Math.Log(2 * Math.PI);
    private static readonly double[][] Points = [[0.5, -0.2], [2.0, 1.0], [-1.3, 0.7]];

    [Fact]
    public void Gaussian_log_densities_match_the_formula()
    {
        using var z = tensor(new float[] { 1f, -2f });
        using var mean = tensor(new float[] { 0.5f, 0f });
        using var logvar = tensor(new float[] { (float)Math.Log(4), 0f });
        // −½ [(0.5²/4 + ln 4 + ln 2π) + (2² + 0 + ln 2π)]
        double expected = -0.5 * (0.25 / 4 + Math.Log(4) + Log2Pi + 4 + Log2Pi);
        Assert.Equal(expected, Gaussians.LogDensity(z, mean, logvar).ToDouble(), 5);
        Assert.Equal(-0.5 * (1 + 4 + 2 * Log2Pi), Gaussians.LogStandardNormal(z).ToDouble(), 5);
        using var eps = tensor(new float[] { 0.25f, -2f });   // z = mean + 2·0.25 and 0 + 1·(−2): the same draws
        Assert.Equal(expected, Gaussians.LogDensityOfDraw(eps, logvar).ToDouble(), 5);
    }

    [Fact]
    public void Per_component_log_densities_by_matrix_products_match_the_direct_sum()
    {
        using var generator = new Generator(2);
        using var z = randn([7, 5], generator: generator) * 2;
        using var mean = randn([3, 5], generator: generator);
        using var logvar = randn([3, 5], generator: generator) - 1;
        using Tensor expanded = Gaussians.LogDensityPerComponent(z, mean, logvar);
        using Tensor direct = Gaussians.LogDensity(z.to(ScalarType.Float64).unsqueeze(1), mean.to(ScalarType.Float64), logvar.to(ScalarType.Float64));   // [7, 3]
        Assert.Equal([7L, 3], expanded.shape);
        Assert.True((expanded - direct).abs().max().ToDouble() < 1e-9, "the expansion of the square changes nothing in float64");
    }

    [Fact]
    public void Free_bits_hold_a_layers_kl_at_the_floor_only_while_its_batch_mean_is_below_it()
    {
        using var kl = tensor(new float[] { 0.1f, 0.3f });
        using Tensor held = HierarchicalElbo.FreeBits(kl, 0.5);
        Assert.Equal([0.5f, 0.5f], held.data<float>().ToArray());
        Assert.False(held.requires_grad);
        using Tensor kept = HierarchicalElbo.FreeBits(kl, 0.2);    // mean 0.2 ≥ 0.2
        Assert.Equal([0.1f, 0.3f], kept.data<float>().ToArray());
        Assert.Same(kl, HierarchicalElbo.FreeBits(kl, 0));
    }

    [Fact]
    public void Each_layer_warms_up_over_its_own_epochs()
    {
        var options = new TrainOptions { Beta = 1, WarmupEpochs = 4, WarmupStagger = 2, FreeBits = 0.25 };
        KlWeights weights = options.KlWeightsAt(2, layers: 3);
        Assert.Equal([2.0 / 4, 2.0 / 6, 2.0 / 8], weights.Betas);
        Assert.Equal(0.25, weights.FreeBits);
        Assert.Equal(options.BetaAt(2), weights.Beta(0));
        Assert.Equal([1.0, 1.0, 1.0], options.KlWeightsAt(9, layers: 3).Betas);
        var e = Assert.Throws<ArgumentException>(() => new TrainOptions { FreeBits = 0.5, Samples = 5 }.Validate());
        Assert.Contains("free bits apply to the ELBO's KL", e.Message);
    }

    [Fact]
    public void The_vamp_prior_is_the_mixture_of_the_encoder_at_the_pseudo_inputs()
    {
        using HierarchicalVae model = LinearGaussianHierarchy.Create(PriorKind.Vamp);
        var (mean, logvar) = model.PriorComponents()!.Value;
        using (mean)
        using (logvar)
        {
            // by hand: u → μ_1(u) = w·u + b (encoder_1), → μ_2 = (a/v1) μ_1 − a c/v1, log σ² = ln(s²/v1) (encoder_2)
            double v1 = LinearGaussianHierarchy.A * LinearGaussianHierarchy.A + LinearGaussianHierarchy.S2;
            float[] m = mean.data<float>().ToArray(), lv = logvar.data<float>().ToArray();
            using Tensor mu1 = model.Posterior(1, tensor(new float[] { 1.0f, -0.5f, -1.2f, 0.4f }, [2, 2])).Mean;
            for (int k = 0; k < 2; k++)
            {
                double expectedMean = LinearGaussianHierarchy.A / v1 * (mu1[k, 0].ToDouble() - LinearGaussianHierarchy.C);
                Assert.Equal(expectedMean, m[k], 5);
                Assert.Equal(Math.Log(LinearGaussianHierarchy.S2 / v1), lv[k], 5);
            }
            // log p(z) = log ½ (N(z; μ_0, σ²) + N(z; μ_1, σ²)) at z = 0.4
            double var = LinearGaussianHierarchy.S2 / v1;
            double Density(double mu) => Math.Exp(-0.5 * ((0.4 - mu) * (0.4 - mu) / var + Math.Log(var) + Log2Pi));
            using Tensor z = tensor(new float[] { 0.4f }, [1, 1]);
            Assert.Equal(Math.Log(0.5 * (Density(m[0]) + Density(m[1]))), model.LogPrior(z, (mean, logvar)).ToDouble(), 5);
        }
    }

    [Fact]
    public void With_exact_posteriors_every_importance_weight_is_the_closed_form_likelihood()
    {
        using HierarchicalVae model = LinearGaussianHierarchy.Create(PriorKind.StandardNormal);
        using var x = tensor(Points.SelectMany(p => p.Select(v => (float)v)).ToArray(), [Points.Length, 2]);
        using var generator = new Generator(5);
        using var noGrad = no_grad();
        double[] expected = Points.Select(p => LinearGaussianHierarchy.LogLikelihood(model, p)).ToArray();

        using Tensor logW = Bounds.LogWeights(model, x, null, 16, generator);
        float[] w = logW.data<float>().ToArray();
        for (int i = 0; i < w.Length; i++) Assert.Equal(expected[i % Points.Length], w[i], 4);

        using var set = new TensorSet(x.alias(), null);
        Assert.Equal(-expected.Average(), Evaluation.ImportanceNll(model, set, k: 7, seed: 3), 4);
    }

    [Fact]
    public void The_elbo_with_exact_posteriors_averages_to_the_closed_form_likelihood()
    {
        using HierarchicalVae model = LinearGaussianHierarchy.Create(PriorKind.StandardNormal);
        using var noGrad = no_grad();
        const int n = 20_000;
        foreach (double[] point in Points)
        {
            double expected = -LinearGaussianHierarchy.LogLikelihood(model, point);
            using var x = tensor(point.Select(v => (float)v).ToArray(), [1, 2]);
            using var copies = new TensorSet(x.expand(n, 2).contiguous(), null);
            using var generator = new Generator(9);
            ElboTerms terms = Bounds.NegElbo(model, copies.X, null, KlWeights.Unit, generator);
            using Tensor loss = terms.Loss.to_type(ScalarType.Float64);
            // the top layer's KL is analytic given z_1, the layer below's a one-draw term: each −ELBO varies, its mean is −log p(x)
            double standardError = (loss.std() / Math.Sqrt(n)).ToDouble();
            double mean = loss.mean().ToDouble();
            Assert.True(Math.Abs(mean - expected) < 4 * standardError, $"mean -ELBO {mean:F4}, -log p(x) {expected:F4}, standard error {standardError:G3}");
            using Tensor parts = (terms.Reconstruction + terms.Kl).to_type(ScalarType.Float64);
            Assert.True((parts - loss).abs().max().ToDouble() < 1e-4, "loss = reconstruction + KL at β = 1");
            double evaluated = Evaluation.NegElbo(model, copies, batchSize: 5_000, seed: 2).NegElbo;
            Assert.True(Math.Abs(evaluated - expected) < 4 * standardError, $"Evaluation.NegElbo {evaluated:F4}, -log p(x) {expected:F4}");
        }
    }

    [Fact]
    public void Importance_sampled_nll_under_the_vamp_prior_converges_to_the_closed_form_likelihood()
    {
        using HierarchicalVae model = LinearGaussianHierarchy.Create(PriorKind.Vamp);
        using var noGrad = no_grad();
        foreach (double[] point in Points)
        {
            using var x = tensor(point.Select(v => (float)v).ToArray(), [1, 2]);
            using var generator = new Generator(11);
            using Tensor logW = Bounds.LogWeights(model, x, null, 20_000, generator).to_type(ScalarType.Float64).flatten();
            double estimate = (logW.logsumexp(0) - Math.Log(20_000)).ToDouble();
            // the estimate's standard error by the delta method: sd(w) / (mean(w) √k)
            using Tensor weights = (logW - logW.max()).exp();
            double standardError = (weights.std() / (weights.mean() * Math.Sqrt(20_000))).ToDouble();
            double expected = LinearGaussianHierarchy.LogLikelihood(model, point);
            Assert.True(Math.Abs(estimate - expected) < 4 * standardError + 1e-4,
                $"x = [{string.Join(", ", point)}]: IS estimate {estimate:F5}, closed form {expected:F5}, standard error {standardError:G3}");
        }
    }

    [Fact]
    public void Prior_samples_have_the_mixtures_mean_and_variance()
    {
        using HierarchicalVae model = LinearGaussianHierarchy.Create(PriorKind.Vamp, [3.0, 1.0, -2.0, -1.0]);
        using var noGrad = no_grad();
        var (mean, logvar) = model.PriorComponents()!.Value;
        double m0 = mean[0, 0].ToDouble(), m1 = mean[1, 0].ToDouble(), v = Math.Exp(logvar[0, 0].ToDouble());
        double mixtureMean = (m0 + m1) / 2, mixtureVar = v + ((m0 - m1) / 2) * ((m0 - m1) / 2);
        const int n = 40_000;
        using var generator = new Generator(17);
        using Tensor z = model.SamplePrior(n, generator).to_type(ScalarType.Float64);
        Assert.Equal([(long)n, 1], z.shape);
        // within 4 standard errors: of the mean √(σ²/n); of the variance √((μ4 − σ⁴)/n) ≤ √(2σ⁴/n), since an equal mixture of two
        // Gaussians of one variance has kurtosis μ4/σ⁴ ≤ 3
        Assert.InRange(z.mean().ToDouble(), mixtureMean - 4 * Math.Sqrt(mixtureVar / n), mixtureMean + 4 * Math.Sqrt(mixtureVar / n));
        double varianceError = 4 * Math.Sqrt(2 * mixtureVar * mixtureVar / n);
        Assert.InRange(z.var().ToDouble(), mixtureVar - varianceError, mixtureVar + varianceError);
        // components of equal weight and variance: the mixture is symmetric about their midpoint, half the draws on each side
        double nearer = (z - m0).abs().lt((z - m1).abs()).to_type(ScalarType.Float64).mean().ToDouble();
        Assert.InRange(nearer, 0.5 - 4 * Math.Sqrt(0.25 / n), 0.5 + 4 * Math.Sqrt(0.25 / n));

        using Tensor images = model.Sample(5, generator);
        Assert.Equal([5L, 2], images.shape);
    }

    [Theory]
    [InlineData(PriorKind.StandardNormal, 1, 0.0)]
    [InlineData(PriorKind.Vamp, 1, 0.1)]
    [InlineData(PriorKind.Vamp, 4, 0.0)]
    public void A_two_layer_model_learns_and_its_checkpoint_loads_back(PriorKind prior, int samples, double freeBits)
    {
        torch.random.manual_seed(4);
        var config = new VaeConfig
        {
            Architecture = Architecture.Hierarchical, InputShape = [12], LatentSize = 2, Activation = "tanh",
            Hierarchy = new HierarchyConfig { Layers = [new() { HiddenSizes = [8], LatentSize = 3 }, new() { HiddenSizes = [6], LatentSize = 2 }], Prior = prior, PseudoInputs = 4 },
        };
        using var model = (HierarchicalVae)Checkpoint.Create(config);
        var options = new TrainOptions { Epochs = 12, BatchSize = 16, LearningRate = 3e-3, Samples = samples, FreeBits = freeBits, WarmupEpochs = 2, WarmupStagger = 1 };
        Dataset data = TinyVae.Data(64);
        IReadOnlyList<EpochMetrics> history = new Trainer(model, options).Fit(data, data);
        Assert.True(history[^1].Test!.NegElbo < history[0].Test!.NegElbo - 0.5,
            $"test -ELBO went from {history[0].Test!.NegElbo:F2} to {history[^1].Test!.NegElbo:F2}");
        Assert.All(history, m => Assert.True(double.IsFinite(m.Train.Kl), $"epoch {m.Epoch}: KL {m.Train.Kl}"));

        string folder = Vae.Tests.RepoPaths.NewTempFolder();
        Checkpoint.Save(model, folder);
        using VaeModule loaded = Checkpoint.Load(folder);
        Assert.IsType<HierarchicalVae>(loaded);
        using var set = TensorSet.From(data, model, "data");
        Assert.Equal(Evaluation.NegElbo(model, set, 64, 1).NegElbo, Evaluation.NegElbo(loaded, set, 64, 1).NegElbo, 5);
    }

    [Fact]
    public void Configs_that_the_hierarchy_cannot_build_are_refused_naming_the_field()
    {
        var good = LinearGaussianHierarchy.Config(PriorKind.StandardNormal);
        Assert.Contains("latent size is its top layer's, 1", Assert.Throws<ArgumentException>(() => (good with { LatentSize = 3 }).Validate()).Message);
        Assert.Contains("not conditional", Assert.Throws<ArgumentException>(() => (good with { Classes = 2 }).Validate()).Message);
        Assert.Contains("PseudoInputs is 0", Assert.Throws<ArgumentException>(() => (good with { Hierarchy = good.Hierarchy! with { Prior = PriorKind.Vamp, PseudoInputs = 0 } }).Validate()).Message);
        Assert.Contains("Layers is empty", Assert.Throws<ArgumentException>(() => (good with { Hierarchy = good.Hierarchy! with { Layers = [] } }).Validate()).Message);
        Assert.Equal("200,200:100/100,100:50", new HierarchyConfig().Format());
        Assert.Equal(":4/3:2", new HierarchyConfig { Layers = HierarchyConfig.ParseLayers(":4/3:2", "--layers") }.Format());
        Assert.Contains("is not HIDDEN,HIDDEN:LATENT", Assert.Throws<ArgumentException>(() => HierarchyConfig.ParseLayers("200,100", "--layers")).Message);
        string json = (good with { Hierarchy = good.Hierarchy! with { Prior = PriorKind.Vamp } }).ToJson();
        Assert.Contains("\"prior\": \"vamp\"", json);
        Assert.True(VaeConfig.Load(WriteTemp(json)).SameAs(good with { Hierarchy = good.Hierarchy! with { Prior = PriorKind.Vamp } }));
    }

    [Fact]
    public void Denoising_missing_data_and_the_autoencoder_objective_are_refused_for_a_hierarchy_naming_the_option()
    {
        using HierarchicalVae model = LinearGaussianHierarchy.Create();
        string denoise = Assert.Throws<ArgumentException>(() => new Trainer(model, new TrainOptions { Denoise = new InputCorruption(CorruptionKind.Gaussian, 0.3) })).Message;
        Assert.Contains("TrainOptions.Denoise is set", denoise);
        string missing = Assert.Throws<ArgumentException>(() => new Trainer(model, new TrainOptions { Missing = new MissingMask(MaskKind.BottomHalf) })).Message;
        Assert.Contains("TrainOptions.Missing is set", missing);
        var good = LinearGaussianHierarchy.Config(PriorKind.StandardNormal);
        Assert.Contains("hierarchical architecture is a VAE", Assert.Throws<ArgumentException>(() => (good with { Objective = Objective.Autoencoder }).Validate()).Message);
        // the bound itself refuses a damaged input, for callers that skip the trainer
        using Tensor x = zeros(3, model.Config.InputSize);
        using Tensor damaged = x + 0.1;
        Assert.Throws<ArgumentException>(() => Bounds.NegElbo(model, damaged, x, null, null, KlWeights.Unit));
    }

    private static string WriteTemp(string text)
    {
        string path = Path.Combine(Vae.Tests.RepoPaths.NewTempFolder(), "config.json");
        File.WriteAllText(path, text);
        return path;
    }
}

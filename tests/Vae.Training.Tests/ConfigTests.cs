using TorchSharp;
using Vae.Tests;
using Vae.Training.Models;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

public class ConfigTests
{
    public static TheoryData<string, VaeConfig> Configs => new()
    {
        { "mlp", new VaeConfig { HiddenSizes = [32, 16], LatentSize = 3, Activation = "gelu", Binarize = true } },
        { "conv", new VaeConfig { Architecture = Architecture.Conv, InputShape = [3, 12, 10], Conv = new ConvConfig { Channels = [4, 6], Strides = [2, 1], BatchNorm = true }, LatentSize = 5 } },
        { "cvae", new VaeConfig { HiddenSizes = [16], LatentSize = 2, Classes = 4, Likelihood = Likelihood.Gaussian, LearnVariance = true } },
        { "gauss", new VaeConfig { HiddenSizes = [8], Likelihood = Likelihood.Gaussian, GaussianSigma = 0.3 } },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void Config_round_trips_through_json_and_the_checkpoint_reproduces_the_model(string name, VaeConfig config)
    {
        string folder = Path.Combine(RepoPaths.NewTempFolder(), name);
        torch.random.manual_seed(11);
        using VaeModule model = Checkpoint.Create(config);
        Checkpoint.Save(model, folder);

        VaeConfig read = VaeConfig.Load(Path.Combine(folder, Checkpoint.ConfigFile));
        Assert.True(read.SameAs(config), $"{read.ToJson()}\n!=\n{config.ToJson()}");
        Assert.Equal(config.ToJson(), read.ToJson());

        using VaeModule loaded = Checkpoint.Load(folder);
        Assert.Equal(model.GetType(), loaded.GetType());
        model.eval();
        loaded.eval();
        using var noGrad = no_grad();
        using Tensor x = rand([3, .. config.InputShape.Select(d => (long)d)]);
        using Tensor? y = config.Classes > 0 ? LayeredVae.OneHot(tensor(new long[] { 0, 3, 1 }), config.Classes) : null;
        var (mean, logvar) = model.Encode(x, y);
        var (mean2, logvar2) = loaded.Encode(x, y);
        Assert.Equal(mean.data<float>().ToArray(), mean2.data<float>().ToArray());
        Assert.Equal(logvar.data<float>().ToArray(), logvar2.data<float>().ToArray());
        Assert.Equal(model.Decode(mean, y).data<float>().ToArray(), loaded.Decode(mean, y).data<float>().ToArray());
        Assert.Equal(model.state_dict().Keys.Order(), loaded.state_dict().Keys.Order());
    }

    [Fact]
    public void Run_folder_loads_its_best_checkpoint()
    {
        string run = RepoPaths.NewTempFolder();
        using var model = new MlpVae(new VaeConfig { InputShape = [6], HiddenSizes = [4], LatentSize = 2 });
        Checkpoint.WriteFolder(Path.Combine(run, Checkpoint.BestFolder), f => Checkpoint.Save(model, f));
        using VaeModule loaded = Checkpoint.Load(run);
        Assert.Equal([6], loaded.Config.InputShape);
    }

    [Fact]
    public void Bad_config_file_names_the_file_and_the_field()
    {
        string path = Path.Combine(RepoPaths.NewTempFolder(), "config.json");
        File.WriteAllText(path, """{ "latent_size": 0 }""");
        var e = Assert.Throws<InvalidDataException>(() => VaeConfig.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("LatentSize is 0", e.Message);
    }

    [Fact]
    public void Invalid_combinations_are_rejected()
    {
        Assert.Contains("gaussian", Assert.Throws<ArgumentException>(() => new VaeConfig { LearnVariance = true }.Validate()).Message);
        Assert.Contains("bernoulli", Assert.Throws<ArgumentException>(() => new VaeConfig { Likelihood = Likelihood.Gaussian, Binarize = true }.Validate()).Message);
        Assert.Contains("[C, H, W]", Assert.Throws<ArgumentException>(() => new VaeConfig { Architecture = Architecture.Conv, InputShape = [784] }.Validate()).Message);
        Assert.Contains("one stride", Assert.Throws<ArgumentException>(() => new ConvConfig { Channels = [4, 8], Strides = [2] }.Validate()).Message);
    }

    [Theory]
    // products past int: 10^15 wrapped to -1,530,494,976 and 2^32 to 0, and libtorch failed on the negative or empty size
    [InlineData("""{ "input_shape": [100000, 100000, 100000] }""", "InputShape", "InputShape is [100000, 100000, 100000], 1,000,000,000,000,000 values per sample; at most 536,870,911")]
    [InlineData("""{ "input_shape": [1, 65536, 65536] }""", "InputShape", "InputShape is [1, 65536, 65536], 4,294,967,296 values per sample; at most 536,870,911")]
    // within int, but the first layer's weight is 800 million values (3.2 GB): it died in libtorch's allocator
    [InlineData("""{ "input_shape": [1, 2000, 1000], "hidden_sizes": [400] }""", "HiddenSizes",
                "encoder layer 1 (and its mirror in the decoder) would hold a weight of 2,000,000 × 400 = 800,000,000 values (InputShape [1, 2000, 1000] = 2,000,000 values → HiddenSizes[0] 400); at most 536,870,911")]
    [InlineData("""{ "input_shape": [12], "hidden_sizes": [8, 2000000000] }""", "HiddenSizes",
                "encoder layer 2 (and its mirror in the decoder) would hold a weight of 8 × 2,000,000,000 = 16,000,000,000 values (HiddenSizes[0] 8 → HiddenSizes[1] 2000000000)")]
    [InlineData("""{ "input_shape": [12], "hidden_sizes": [400], "latent_size": 2000000000 }""", "LatentSize",
                "the decoder's first layer would hold a weight of 2,000,000,000 × 400 = 800,000,000,000 values (LatentSize 2000000000 → HiddenSizes[0] 400)")]
    [InlineData("""{ "input_shape": [12], "hidden_sizes": [], "latent_size": 20, "classes": 2147483647 }""", "LatentSize",
                "the decoder's first layer would hold a weight of 2,147,483,667 × 12 = 25,769,804,004 values (LatentSize 20 + Classes 2147483647 → InputShape [12] = 12 values)")]
    [InlineData("""{ "architecture": "conv", "input_shape": [1, 20000, 20000] }""", "LatentSize",
                "the decoder's first layer would hold a weight of 20 × 1,600,000,000 = 32,000,000,000 values (LatentSize 20 → the 1,600,000,000 values of the last feature map)")]
    [InlineData("""{ "architecture": "conv", "input_shape": [1, 8, 8], "conv": { "channels": [100000, 100000], "strides": [2, 2] } }""", "Channels",
                "convolution 2 would hold a weight of 900,000 × 100,000 = 90,000,000,000 values (conv Channels[0] 100000 × 3 × 3 → conv Channels[1] 100000)")]
    public void Layer_sizes_beyond_what_one_weight_can_hold_are_refused_naming_the_field_and_limit(string json, string field, string expected)
    {
        string path = Path.Combine(RepoPaths.NewTempFolder(), "config.json");
        File.WriteAllText(path, json);

        var e = Assert.Throws<InvalidDataException>(() => VaeConfig.Load(path));

        Assert.Contains($"{path} is not a valid VAE config: {expected}", e.Message);
        Assert.Contains("536,870,911 float32 values (2 GiB, the most one ONNX initializer can hold)", e.Message);
        Assert.DoesNotContain("(Parameter '", e.Message);   // the field is named once
        Assert.Equal(field, Assert.IsType<ArgumentException>(e.InnerException).ParamName);
    }

    [Fact]
    public void The_largest_layers_within_the_limit_are_accepted()
    {
        // MNIST's default model and a weight of exactly 536,870,911 values (= 233 × 1103 × 2089) pass; one unit more does not
        new VaeConfig().Validate();
        new VaeConfig { InputShape = [233, 1103], HiddenSizes = [2089], LatentSize = 1 }.Validate();
        var e = Assert.Throws<ArgumentException>(() => new VaeConfig { InputShape = [233, 1103], HiddenSizes = [2090], LatentSize = 1 }.Validate());
        Assert.Contains("256,999 × 2,090 = 537,127,910 values", e.Message);
    }

    [Fact]
    public void Schedules_and_warm_up_follow_their_formulas()
    {
        var cosine = new TrainOptions { Epochs = 4, LearningRate = 1e-3, Schedule = LrSchedule.Cosine, MinLearningRate = 1e-4 };
        Assert.Equal(1e-3, cosine.LearningRateAt(1), 12);
        Assert.Equal(1e-4 + 0.45e-3, cosine.LearningRateAt(3), 12);
        var step = new TrainOptions { LearningRate = 1.0, Schedule = LrSchedule.Step, StepEpochs = 2, StepGamma = 0.1 };
        Assert.Equal([1.0, 1.0, 0.1, 0.1, 0.01], Enumerable.Range(1, 5).Select(e => Math.Round(step.LearningRateAt(e), 10)));
        var warm = new TrainOptions { Beta = 2, WarmupEpochs = 4 };
        Assert.Equal(0, warm.BetaAt(0));
        Assert.Equal(1, warm.BetaAt(2));
        Assert.Equal(2, warm.BetaAt(7));
    }
}

using TorchSharp;
using TorchSharp.Modules;
using Vae.Training.Models;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

/// <summary>
/// A small convolutional VAE built only from standard TorchSharp modules, in every variant the exporter must
/// handle: unconditional or conditional (one-hot y concatenated to the flattened body output and to z), Bernoulli
/// or Gaussian, with or without a learned per-pixel log-variance.
/// </summary>
internal sealed class TestConvVae : VaeModule
{
    private readonly Sequential body;
    private readonly Linear fc_mean;
    private readonly Linear fc_logvar;
    private readonly Sequential decoder;
    private readonly Parameter? pixel_logvar;
    private readonly int classes;

    public TestConvVae(VaeConfig config, int classes = 0, bool pixelLogvar = false) : base(nameof(TestConvVae), config)
    {
        this.classes = classes;
        int side = config.InputShape[1];
        var bodyLayers = new List<nn.Module<Tensor, Tensor>>
        {
            nn.Conv2d(1, 4, 3, stride: 2, padding: 1), nn.BatchNorm2d(4), nn.LeakyReLU(0.1),
            nn.Conv2d(4, 8, (3, 2), padding: (1, 0)), nn.GELU(),
        };
        int features = 8 * (side / 2) * (side / 2 - 1);
        // Unconditional: the body flattens itself; conditional: the layout flattens before concatenating y.
        if (classes == 0) bodyLayers.Add(nn.Flatten());
        body = nn.Sequential(bodyLayers);
        fc_mean = nn.Linear(features + classes, config.LatentSize);
        fc_logvar = nn.Linear(features + classes, config.LatentSize);
        decoder = nn.Sequential(
            nn.Linear(config.LatentSize + classes, 8 * (side / 2) * (side / 2)), nn.SiLU(),
            nn.Unflatten(1, [8, side / 2, side / 2]),
            nn.ConvTranspose2d(8, 4, 3, stride: 2, padding: 1, output_padding: 1), nn.BatchNorm2d(4), nn.ELU(),
            nn.Conv2d(4, 1, 3, padding: 1));
        if (pixelLogvar) pixel_logvar = nn.Parameter(randn(config.InputSize) * 0.1 - 1);
        RegisterComponents();
    }

    public override (Tensor Mean, Tensor Logvar) Encode(Tensor x, Tensor? y = null)
    {
        using var scope = NewDisposeScope();
        Tensor h = body.forward(x);
        if (classes > 0) h = cat([h.flatten(1), Label(y)], 1);
        return (fc_mean.forward(h).MoveToOuterDisposeScope(), fc_logvar.forward(h).MoveToOuterDisposeScope());
    }

    public override Tensor Decode(Tensor z, Tensor? y = null)
    {
        using var scope = NewDisposeScope();
        return decoder.forward(classes > 0 ? cat([z, Label(y)], 1) : z).MoveToOuterDisposeScope();
    }

    public override VaeGraphLayout GraphLayout => new(body, fc_mean, fc_logvar, decoder, Config.InputShape, classes, pixel_logvar);

    /// <summary>Gives the batch norms non-trivial running statistics.</summary>
    public TestConvVae WithRunningStatistics(int seed)
    {
        using var generator = new Generator((ulong)seed);
        train();
        using (no_grad())
        {
            for (int i = 0; i < 4; i++)
            {
                using var scope = NewDisposeScope();
                Tensor x = rand([16, .. Config.InputShape.Select(d => (long)d)], generator: generator) * 2;
                Tensor? y = classes > 0 ? nn.functional.one_hot(randint(classes, [16], dtype: int64, generator: generator), classes).to(float32) : null;
                Forward(x, y, generator);
            }
        }
        eval();
        return this;
    }

    private Tensor Label(Tensor? y) => y ?? throw new ArgumentException($"this model is conditional on {classes} classes; pass the one-hot label y.", nameof(y));
}

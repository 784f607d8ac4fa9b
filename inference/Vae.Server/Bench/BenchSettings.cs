using Vae.Inference;

namespace Vae.Server.Bench;

/// <summary>What <c>vae-serve bench</c> measures and how long; <see cref="Validate"/> checks every value up front.</summary>
internal sealed record BenchSettings
{
    /// <summary>Exported model folder (encoder.onnx, decoder.onnx).</summary>
    public required string Model { get; init; }

    /// <summary>Provider under test.</summary>
    public ExecutionProvider Provider { get; init; } = ExecutionProvider.Auto;

    /// <summary>GPU device id.</summary>
    public int DeviceId { get; init; }

    /// <summary>Test rows: an idx image file (plain or .gz) or an MNIST folder; null for rows decoded from prior samples.</summary>
    public string? Data { get; init; }

    /// <summary>Rows compared against the CPU provider.</summary>
    public int ParityRows { get; init; } = 1000;

    /// <summary>Timed calls per latency figure (after the warm-up), at most; see <see cref="SecondsPerFigure"/>.</summary>
    public int Iterations { get; init; } = 2000;

    /// <summary>Untimed calls before each latency figure.</summary>
    public int Warmup { get; init; } = 50;

    /// <summary>Time budget of one latency figure: its loop stops at <see cref="Iterations"/> calls or this many seconds.</summary>
    public double SecondsPerFigure { get; init; } = 3;

    /// <summary>Rows of the large-batch throughput figure.</summary>
    public int LargeBatch { get; init; } = 65_536;

    /// <summary>Images of the anomaly-scoring figure.</summary>
    public int AnomalyImages { get; init; } = 1000;

    /// <summary>Latent samples per image of the anomaly-scoring figure.</summary>
    public int AnomalySamples { get; init; } = 100;

    /// <summary>ONNX Runtime intra-op threads (0: ONNX Runtime's choice).</summary>
    public int Threads { get; init; }

    /// <summary>Checks every value; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public BenchSettings Validate()
    {
        Positive(ParityRows, nameof(ParityRows));
        Positive(Iterations, nameof(Iterations));
        Positive(LargeBatch, nameof(LargeBatch));
        Positive(AnomalyImages, nameof(AnomalyImages));
        Positive(AnomalySamples, nameof(AnomalySamples));
        if (Warmup < 0) throw new ArgumentException($"{nameof(Warmup)} is {Warmup}; expected 0 or more calls.", nameof(Warmup));
        if (!(SecondsPerFigure > 0)) throw new ArgumentException($"{nameof(SecondsPerFigure)} is {SecondsPerFigure}; expected more than 0 seconds.", nameof(SecondsPerFigure));
        if (AnomalySamples > VaeModel.MaxAnomalySamples)
            throw new ArgumentException($"{nameof(AnomalySamples)} is {AnomalySamples}; expected at most {VaeModel.MaxAnomalySamples}.", nameof(AnomalySamples));
        return this;
    }

    private static void Positive(int value, string name)
    {
        if (value < 1) throw new ArgumentException($"{name} is {value}; expected 1 or more.", name);
    }
}

namespace Vae.Training.Training;

/// <summary>Mean per-sample figures of one pass over a data set, in nats.</summary>
/// <param name="NegElbo">Reconstruction + KL (β = 1).</param>
public sealed record SetMetrics(double NegElbo, double Reconstruction, double Kl);

/// <summary>Figures of one finished epoch (one row of <c>metrics.csv</c>).</summary>
/// <param name="TrainLoss">Mean training objective per sample (β-weighted −ELBO, or −IWAE bound for k &gt; 1).</param>
/// <param name="Train">Training −ELBO, reconstruction and KL, averaged over the epoch's batches.</param>
/// <param name="Validation">Held-out figures (one seeded z per input), or null without a validation split.</param>
/// <param name="Test">Test-set figures, or null when no test set was given.</param>
/// <param name="ActiveUnits">Latent units whose posterior mean varies (variance &gt; 0.01) over the validation (else test) set; −1 when neither exists.</param>
public sealed record EpochMetrics(int Epoch, double TrainLoss, SetMetrics Train, SetMetrics? Validation, SetMetrics? Test,
                                  int ActiveUnits, double LearningRate, double Beta, double Seconds)
{
    /// <summary>Header of metrics.csv.</summary>
    public const string CsvHeader =
        "epoch,train_loss,train_neg_elbo,train_reconstruction,train_kl,val_neg_elbo,val_reconstruction,val_kl," +
        "test_neg_elbo,test_reconstruction,test_kl,active_units,lr,beta,seconds";

    /// <summary>This epoch as one CSV row (invariant culture, empty cells for missing sets).</summary>
    public string ToCsv()
    {
        static string F(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        static string S(SetMetrics? m) => m is null ? ",," : $"{F(m.NegElbo)},{F(m.Reconstruction)},{F(m.Kl)}";
        return $"{Epoch},{F(TrainLoss)},{S(Train)},{S(Validation)},{S(Test)},{ActiveUnits},{F(LearningRate)},{F(Beta)},{F(Seconds)}";
    }

    /// <summary>Parses a row written by <see cref="ToCsv"/>.</summary>
    /// <exception cref="InvalidDataException">The row has the wrong number of cells, a bad number or no training figures (the message names the column).</exception>
    public static EpochMetrics FromCsv(string line)
    {
        string[] names = CsvHeader.Split(','), c = line.Split(',');
        if (c.Length != names.Length)
            throw new InvalidDataException($"metrics row '{line}' has {c.Length} cells; expected {names.Length} ({CsvHeader}).");
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        double D(int i) => double.TryParse(c[i], System.Globalization.NumberStyles.Float, inv, out double v) ? v
            : throw new InvalidDataException($"metrics row '{line}': {names[i]} is '{c[i]}'; expected a number.");
        int I(int i) => int.TryParse(c[i], System.Globalization.NumberStyles.AllowLeadingSign, inv, out int v) ? v
            : throw new InvalidDataException($"metrics row '{line}': {names[i]} is '{c[i]}'; expected an integer.");
        SetMetrics? S(int i) => c[i].Length == 0 && c[i + 1].Length == 0 && c[i + 2].Length == 0 ? null : new SetMetrics(D(i), D(i + 1), D(i + 2));
        SetMetrics train = S(2) ?? throw new InvalidDataException($"metrics row '{line}': the training figures ({names[2]}, {names[3]}, {names[4]}) are empty; every epoch has them.");
        return new EpochMetrics(I(0), D(1), train, S(5), S(8), I(11), D(12), D(13), D(14));
    }
}

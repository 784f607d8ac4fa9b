using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using Vae.Training.Data;
using Vae.Training.Training;
using static TorchSharp.torch;

namespace Vae.Training.Classifiers;

/// <summary>Settings of a <see cref="JudgeClassifier"/>; the defaults reach about 98% on MNIST's test set.</summary>
public sealed record JudgeOptions
{
    /// <summary>Units of the one hidden layer (default 512).</summary>
    public int HiddenSize { get; init; } = 512;

    /// <summary>Passes over the training set (default 3).</summary>
    public int Epochs { get; init; } = 3;

    /// <summary>Samples per batch (default 128).</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Adam's learning rate (default 1e-3).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Seed of the weights and the shuffling (default 1): the same seed and data give the same judge on CPU.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Checks ranges; throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public JudgeOptions Validate()
    {
        if (HiddenSize < 1) throw new ArgumentException($"{nameof(HiddenSize)} is {HiddenSize}; expected at least 1.", nameof(HiddenSize));
        if (Epochs < 1) throw new ArgumentException($"{nameof(Epochs)} is {Epochs}; expected at least 1.", nameof(Epochs));
        if (BatchSize < 1) throw new ArgumentException($"{nameof(BatchSize)} is {BatchSize}; expected at least 1.", nameof(BatchSize));
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
            throw new ArgumentException($"{nameof(LearningRate)} is {LearningRate}; expected a finite rate > 0.", nameof(LearningRate));
        return this;
    }
}

/// <summary>
/// An independent classifier that judges what a generative model drew: a one-hidden-layer MLP (ReLU, softmax
/// cross-entropy, Adam) trained on labelled real data. It measures whether a conditional VAE's samples for class c
/// look like c (<see cref="ConditionalSampleAccuracy"/>); its own accuracy on real test data says how far to trust it.
/// A judge is trained once per training set: <see cref="LoadOrTrain"/> keeps it in a folder (judge.json + weights.bin)
/// and reuses it while the data's fingerprint matches. Owns native tensors: dispose it.
/// </summary>
public sealed class JudgeClassifier : IDisposable
{
    /// <summary>The files of a saved judge.</summary>
    public const string RecordFile = "judge.json", WeightsFile = "weights.bin";

    private readonly Sequential network;

    private JudgeClassifier(JudgeRecord record)
    {
        Record = record;
        network = nn.Sequential(nn.Linear(record.InputSize, record.Options.HiddenSize), nn.ReLU(), nn.Linear(record.Options.HiddenSize, record.Classes));
    }

    /// <summary>What the judge is and what it was trained on.</summary>
    public JudgeRecord Record { get; }

    /// <summary>Values per sample the judge reads (flattened).</summary>
    public int InputSize => Record.InputSize;

    /// <summary>Number of classes it tells apart.</summary>
    public int Classes => Record.Classes;

    /// <summary>Trains a judge on <paramref name="train"/>, deterministically for its seed (it sets TorchSharp's global seed).</summary>
    /// <exception cref="ArgumentException">The data is empty or unlabelled, or it has fewer than two classes.</exception>
    public static JudgeClassifier Train(Dataset train, JudgeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        options = (options ?? new JudgeOptions()).Validate();
        if (train.Labels is null) throw new ArgumentException("the judge's training data has no labels; expected labelled samples (MNIST, image sub-folders per class, or a CSV label column).", nameof(train));
        if (train.Count == 0) throw new ArgumentException("the judge's training data has no samples.", nameof(train));
        if (train.ClassCount < 2) throw new ArgumentException($"the judge's training data has {train.ClassCount} class; expected at least 2.", nameof(train));
        if (train.Labels.Min() < 0) throw new ArgumentException($"the judge's training data has label {train.Labels.Min()}; expected labels from 0.", nameof(train));

        random.manual_seed(options.Seed);
        var judge = new JudgeClassifier(new JudgeRecord(train.SampleSize, train.ClassCount, train.Count, Fingerprint(train), options));
        Sequential network = judge.network;
        try
        {
            using Tensor x = tensor(train.Features, [train.Count, train.SampleSize]);
            using Tensor y = tensor(train.Labels.Select(l => (long)l).ToArray());
            using var shuffle = new Generator((ulong)options.Seed);
            using optim.Optimizer optimizer = optim.Adam(network.parameters(), options.LearningRate);
            network.train();
            for (int epoch = 0; epoch < options.Epochs; epoch++)
            {
                using Tensor order = randperm(train.Count, generator: shuffle);
                for (long start = 0; start < train.Count; start += options.BatchSize)
                {
                    using var scope = NewDisposeScope();
                    Tensor batch = order.narrow(0, start, Math.Min(options.BatchSize, train.Count - start));
                    Tensor loss = nn.functional.cross_entropy(network.forward(x.index_select(0, batch)), y.index_select(0, batch));
                    optimizer.zero_grad();
                    loss.backward();
                    optimizer.step();
                }
            }
            network.eval();
            return judge;
        }
        catch
        {
            judge.Dispose();
            throw;
        }
    }

    /// <summary>The class the judge assigns to each row of <paramref name="x"/> [N, ...] (N × <see cref="InputSize"/> values).</summary>
    /// <exception cref="ArgumentException">The rows do not hold <see cref="InputSize"/> values.</exception>
    public long[] Predict(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        long n = x.shape[0];
        if (x.numel() != n * InputSize)
            throw new ArgumentException($"x has shape [{string.Join(", ", x.shape)}]; expected {InputSize} values per row (the judge's input size).", nameof(x));
        using var noGrad = no_grad();
        var predictions = new long[n];
        for (long start = 0; start < n; start += 1000)
        {
            using var scope = NewDisposeScope();
            Tensor rows = x.narrow(0, start, Math.Min(1000, n - start)).reshape(-1, InputSize).to_type(ScalarType.Float32);
            network.forward(rows).argmax(1).data<long>().CopyTo(predictions, (int)start);
        }
        return predictions;
    }

    /// <summary>Fraction of <paramref name="data"/>'s samples whose label the judge predicts.</summary>
    /// <exception cref="ArgumentException">The data is unlabelled, empty, or of another sample size.</exception>
    public double Accuracy(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Labels is null || data.Count == 0) throw new ArgumentException("the data to judge has no labelled samples.", nameof(data));
        if (data.SampleSize != InputSize)
            throw new ArgumentException($"the data's samples hold {data.SampleSize} values; the judge reads {InputSize}.", nameof(data));
        using Tensor x = Evaluation.ToTensor(data);
        long[] predicted = Predict(x);
        return predicted.Where((p, i) => p == data.Labels[i]).Count() / (double)data.Count;
    }

    /// <summary>
    /// The judge saved in <paramref name="folder"/> when it was trained on exactly <paramref name="train"/> with
    /// <paramref name="options"/>; otherwise a new one, trained and saved there (replacing a judge of other data).
    /// </summary>
    /// <param name="trained">True when the judge was trained now.</param>
    /// <exception cref="InvalidDataException">The folder holds a damaged judge.</exception>
    public static JudgeClassifier LoadOrTrain(string folder, Dataset train, JudgeOptions? options, out bool trained)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(train);
        options = (options ?? new JudgeOptions()).Validate();
        if (File.Exists(Path.Combine(folder, RecordFile)))
        {
            JudgeRecord saved = ReadRecord(folder);
            if (saved.Options == options && saved.TrainCount == train.Count && saved.DataSha256 == Fingerprint(train))
            {
                trained = false;
                return Load(folder);
            }
        }
        JudgeClassifier judge = Train(train, options);
        try
        {
            judge.Save(folder);
        }
        catch
        {
            judge.Dispose();
            throw;
        }
        trained = true;
        return judge;
    }

    /// <summary>Writes judge.json and weights.bin into <paramref name="folder"/>, each atomically.</summary>
    public void Save(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        OutputPath.CheckFolder(folder, "judge folder");
        Directory.CreateDirectory(folder);
        AtomicFile.Write(Path.Combine(folder, WeightsFile), temp => network.save(temp));
        AtomicFile.WriteAllText(Path.Combine(folder, RecordFile), JsonSerializer.Serialize(Record, Models.VaeConfig.JsonOptions));
    }

    /// <summary>The judge saved in <paramref name="folder"/>; the caller disposes it.</summary>
    /// <exception cref="FileNotFoundException">judge.json or weights.bin is missing.</exception>
    /// <exception cref="InvalidDataException">A file is damaged or the weights do not fit the record.</exception>
    public static JudgeClassifier Load(string folder)
    {
        JudgeRecord record = ReadRecord(folder);
        string weights = Path.Combine(folder, WeightsFile);
        if (!File.Exists(weights)) throw new FileNotFoundException($"{weights} is missing; a judge folder holds {RecordFile} and {WeightsFile}.", weights);
        var judge = new JudgeClassifier(record);
        try
        {
            judge.network.load(weights);
            judge.network.eval();
            return judge;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or EndOfStreamException or IOException)
        {
            judge.Dispose();
            throw new InvalidDataException($"{weights} does not hold the weights {record.InputSize}-{record.Options.HiddenSize}-{record.Classes} that {RecordFile} describes ({e.Message}).", e);
        }
    }

    /// <summary>SHA-256 of a data set's values and labels, in hex: a judge is reused only for the very data it learnt.</summary>
    public static string Fingerprint(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(MemoryMarshal.AsBytes(data.Features.AsSpan()));
        hash.AppendData(MemoryMarshal.AsBytes((data.Labels ?? []).AsSpan()));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static JudgeRecord ReadRecord(string folder)
    {
        string path = Path.Combine(folder, RecordFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing; expected a judge saved by JudgeClassifier.Save.", path);
        try
        {
            JudgeRecord record = JsonSerializer.Deserialize<JudgeRecord>(File.ReadAllText(path), Models.VaeConfig.JsonOptions)
                ?? throw new InvalidDataException($"{path} is empty; expected a judge record.");
            if (record.InputSize < 1 || record.Classes < 2 || record.Options is null || record.DataSha256 is null)
                throw new InvalidDataException($"{path} lacks the input size, classes, options or data fingerprint of a judge.");
            record.Options.Validate();
            return record;
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"{path} is not a judge record: {e.Message}", e);
        }
    }

    public void Dispose() => network.Dispose();
}

/// <summary>A judge's identity, saved as judge.json.</summary>
/// <param name="InputSize">Values per sample.</param>
/// <param name="Classes">Classes it tells apart.</param>
/// <param name="TrainCount">Samples it was trained on.</param>
/// <param name="DataSha256">Fingerprint of that data (<see cref="JudgeClassifier.Fingerprint"/>).</param>
/// <param name="Options">How it was trained.</param>
public sealed record JudgeRecord(int InputSize, int Classes, int TrainCount, string DataSha256, JudgeOptions Options);

using Microsoft.ML;
using Microsoft.ML.Data;
using Vae.Inference;

namespace Vae.Cli.Compare;

/// <summary>
/// PCA as an encoder and decoder, fitted with ML.NET's <c>ProjectToPrincipalComponents</c> (randomized PCA) on the rows
/// minus their mean x̄: c = Vᵀ(x − x̄), x̂ = x̄ + V c. The rows are centred here and the transform fitted with
/// <c>ensureZeroMean: false</c>, because ML.NET 5's own centring sums the mean over both passes of its randomized SVD
/// (it centres with (1 + 1/N) x̄ and projects a covariance off by about 2/N · x̄x̄ᵀ, enough to lose a component of a small
/// data set). ML.NET keeps V to itself, so it is read back through the transform: the code of the unit vector eᵢ is row i
/// of V. Samples decode codes c ~ N(0, diag λ), λ the variances of the training codes: PCA's own Gaussian model of the data.
/// </summary>
internal sealed class PcaCodec
{
    private readonly float[] mean;          // [D] x̄
    private readonly float[] components;    // [D, K] row-major: V, row i is eᵢ's loading on each component
    private readonly double[] variances;    // [K] of the training codes

    private PcaCodec(int inputSize, int rank, float[] mean, float[] components)
    {
        InputSize = inputSize;
        Rank = rank;
        this.mean = mean;
        this.components = components;
        variances = new double[rank];
    }

    /// <summary>Values per sample.</summary>
    public int InputSize { get; }

    /// <summary>Number of principal components (the code size).</summary>
    public int Rank { get; }

    /// <summary>Variance of the training codes along each component, in ML.NET's order.</summary>
    public IReadOnlyList<double> Variances => variances;

    /// <summary>Fits <paramref name="rank"/> components on <paramref name="x"/> (N × <paramref name="inputSize"/> values).</summary>
    /// <exception cref="ArgumentException">The rank is not below the input size, or there are not more rows than components.</exception>
    public static PcaCodec Fit(MLContext ml, float[] x, int inputSize, int rank, int seed)
    {
        int n = x.Length / inputSize;
        if (rank < 1 || rank >= inputSize)
            throw new ArgumentException($"PCA rank is {rank}; expected 1 to {inputSize - 1} (below the {inputSize} values per sample).", nameof(rank));
        if (n <= rank) throw new ArgumentException($"PCA of rank {rank} needs more than {rank} samples; got {n}.", nameof(x));
        var sum = new double[inputSize];
        for (int r = 0; r < n; r++)
            for (int i = 0; i < inputSize; i++) sum[i] += x[r * inputSize + i];
        float[] mean = sum.Select(v => (float)(v / n)).ToArray();

        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Values)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, inputSize);
        IEnumerable<Row> Centred()
        {
            for (int r = 0; r < n; r++)
            {
                var row = new float[inputSize];
                for (int i = 0; i < inputSize; i++) row[i] = x[r * inputSize + i] - mean[i];
                yield return new Row { Values = row };
            }
        }
        // the randomized SVD draws rank + oversampling directions; more than the input has would leave some of them empty
        ITransformer transform = ml.Transforms.ProjectToPrincipalComponents("Code", nameof(Row.Values), rank: rank,
            overSampling: Math.Min(20, inputSize - rank), ensureZeroMean: false, seed: seed).Fit(ml.Data.LoadFromEnumerable(Centred(), schema));

        IEnumerable<Row> UnitVectors()
        {
            for (int i = 0; i < inputSize; i++)
            {
                var unit = new float[inputSize];
                unit[i] = 1;
                yield return new Row { Values = unit };
            }
        }
        float[] components = transform.Transform(ml.Data.LoadFromEnumerable(UnitVectors(), schema))
            .GetColumn<VBuffer<float>>("Code").SelectMany(v => v.DenseValues()).ToArray();

        var codec = new PcaCodec(inputSize, rank, mean, components);
        float[] codes = codec.Encode(x);
        for (int k = 0; k < rank; k++)
        {
            double squares = 0;
            for (int r = 0; r < n; r++) squares += (double)codes[r * rank + k] * codes[r * rank + k];
            codec.variances[k] = squares / Math.Max(1, n - 1);
        }
        return codec;
    }

    /// <summary>Codes c = Vᵀ(x − x̄), N × <see cref="Rank"/>: what the fitted ML.NET transform gives for the centred rows.</summary>
    public float[] Encode(float[] x)
    {
        if (x.Length % InputSize != 0) throw new ArgumentException($"length of {nameof(x)} is {x.Length}; expected N × {InputSize}.", nameof(x));
        int n = x.Length / InputSize;
        var codes = new float[n * Rank];
        var row = new double[Rank];
        for (int r = 0; r < n; r++)
        {
            Array.Clear(row);
            for (int i = 0; i < InputSize; i++)
            {
                float v = x[r * InputSize + i] - mean[i];
                for (int k = 0; k < Rank; k++) row[k] += v * components[i * Rank + k];
            }
            for (int k = 0; k < Rank; k++) codes[r * Rank + k] = (float)row[k];
        }
        return codes;
    }

    /// <summary>x̂ = x̄ + V c for codes c (N × <see cref="Rank"/>).</summary>
    public float[] Decode(float[] codes)
    {
        if (codes.Length % Rank != 0) throw new ArgumentException($"length of {nameof(codes)} is {codes.Length}; expected N × {Rank}.", nameof(codes));
        int n = codes.Length / Rank;
        var x = new float[n * InputSize];
        for (int r = 0; r < n; r++)
        {
            for (int i = 0; i < InputSize; i++)
            {
                double v = mean[i];
                for (int k = 0; k < Rank; k++) v += components[i * Rank + k] * codes[r * Rank + k];
                x[r * InputSize + i] = (float)v;
            }
        }
        return x;
    }

    /// <summary>The projection of <paramref name="x"/> onto the components: <see cref="Decode"/>(<see cref="Encode"/>(x)).</summary>
    public float[] Reconstruct(float[] x) => Decode(Encode(x));

    /// <summary><paramref name="count"/> samples x̄ + V c, c ~ N(0, diag λ), drawn with <paramref name="seed"/>.</summary>
    public float[] Sample(int count, int seed)
    {
        var noise = new GaussianNoise(seed);
        var codes = new float[count * Rank];
        for (int i = 0; i < codes.Length; i++) codes[i] = (float)(Math.Sqrt(variances[i % Rank]) * noise.Next());
        return Decode(codes);
    }

    /// <summary>Largest |VᵀV − I| entry: how orthonormal the recovered components are (≈ 1e-6 for a sound fit).</summary>
    public double OrthonormalityError()
    {
        double worst = 0;
        for (int a = 0; a < Rank; a++)
        {
            for (int b = 0; b < Rank; b++)
            {
                double dot = 0;
                for (int i = 0; i < InputSize; i++) dot += (double)components[i * Rank + a] * components[i * Rank + b];
                worst = Math.Max(worst, Math.Abs(dot - (a == b ? 1 : 0)));
            }
        }
        return worst;
    }

    private sealed class Row
    {
        public float[] Values { get; set; } = [];
    }
}

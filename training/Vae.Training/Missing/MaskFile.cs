using System.Globalization;
using Vae.Training.Data;

namespace Vae.Training.Missing;

/// <summary>
/// Missing values given as a file beside the data, for data that cannot hold gaps itself (images): any kind
/// <see cref="DataSource"/> reads (CSV, idx, …), one row of 0/1 flags per sample — 1 where the value is observed, 0 where it
/// is missing — in the data's order. The data's missing values become NaN, as a CSV's empty cells do.
/// </summary>
public static class MaskFile
{
    /// <summary>A copy of <paramref name="data"/> with NaN where the mask at <paramref name="path"/> holds 0. A mask with more
    /// samples than the data (the data read with a limit) is used up to the data's count.</summary>
    /// <exception cref="ArgumentException">The mask has fewer samples or another number of values per sample than the data, holds a value
    /// other than 0 or 1, or leaves a sample with nothing observed; the message names the mask file.</exception>
    public static Dataset Apply(Dataset data, string path)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Dataset mask = DataSource.Load(path, new DataOptions { Scale = 1 });
        if (mask.Count < data.Count || mask.SampleSize != data.SampleSize)
            throw new ArgumentException($"mask {path} has {mask.Count:N0} samples of {mask.SampleSize:N0} values; the data has {data.Count:N0} samples of {data.SampleSize:N0} " +
                                        "(expected one row of 0/1 flags per sample, one flag per value).", nameof(path));
        int size = data.SampleSize;
        float[] values = (float[])data.Features.Clone();
        for (int s = 0; s < data.Count; s++)
        {
            int observed = 0;
            for (int j = s * size; j < (s + 1) * size; j++)
            {
                float flag = mask.Features[j];
                if (flag is not (0f or 1f))
                    throw new ArgumentException($"mask {path}: sample {s}, value {j - s * size} is {flag.ToString(CultureInfo.InvariantCulture)}; expected 1 (observed) or 0 (missing).", nameof(path));
                if (flag == 0f) values[j] = float.NaN;
                else if (!float.IsNaN(values[j])) observed++;
            }
            if (observed == 0)
                throw new ArgumentException($"mask {path} leaves sample {s} with no observed value; a sample needs at least one.", nameof(path));
        }
        return new Dataset(values, data.SampleShape, data.Labels, data.ClassCount)
        {
            ClassNames = data.ClassNames,
            SampleNames = data.SampleNames,
            Normalization = data.Normalization,
        };
    }
}

namespace Vae.Training.Data;

/// <summary>Seeded splits of a data set.</summary>
public static class DataSplit
{
    /// <summary>
    /// Holds out <paramref name="count"/> random samples (a seeded permutation) as a validation set; the rest,
    /// in their original order, is the training set. With count 0 the data is returned whole and the validation set is null.
    /// </summary>
    public static (Dataset Train, Dataset? Validation) HoldOut(Dataset data, int count, long seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (count == 0) return (data, null);
        if (count < 0 || count >= data.Count)
            throw new ArgumentException($"validation size is {count}; expected 0..{data.Count - 1} (the data has {data.Count} samples).", nameof(count));
        int[] order = Enumerable.Range(0, data.Count).ToArray();
        new Random(unchecked((int)seed)).Shuffle(order);
        int[] validation = order[..count];
        Array.Sort(validation);
        var held = new HashSet<int>(validation);
        int[] train = Enumerable.Range(0, data.Count).Where(i => !held.Contains(i)).ToArray();
        return (data.Subset(train), data.Subset(validation));
    }
}

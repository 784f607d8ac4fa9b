using System.Buffers.Binary;
using Vae.Tests;
using Vae.Training.Data;

namespace Vae.Training.Tests;

/// <summary>Labels are class indices from 0 to <see cref="Dataset.MaxClasses"/> − 1 in every reader: an id in a label
/// column (2,147,483,647 wrapped the class count negative) or a fractional idx label is refused, naming where it is.</summary>
public class LabelRangeTests
{
    [Theory]
    [InlineData("2147483647")]
    [InlineData("65536")]
    public void A_csv_label_beyond_the_classes_is_refused_naming_the_row(string label)
    {
        string path = Path.Combine(RepoPaths.NewTempFolder(), "ids.csv");
        File.WriteAllText(path, $"1,0.5,0.5\n{label},0.2,0.1\n");
        var e = Assert.Throws<DataFormatException>(() => DataSource.Load(path, new DataOptions { LabelColumn = 0 }));
        Assert.StartsWith($"{path}: row 2, column 1: label {label} is not a class index", e.Message);
    }

    [Fact]
    public void The_largest_class_label_is_read()
    {
        string path = Path.Combine(RepoPaths.NewTempFolder(), "big.csv");
        File.WriteAllText(path, $"{Dataset.MaxClasses - 1},0.5\n0,0.2\n");
        Dataset data = DataSource.Load(path, new DataOptions { LabelColumn = 0 });
        Assert.Equal(Dataset.MaxClasses, data.ClassCount);
    }

    [Theory]
    [InlineData(3.7f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    [InlineData(1e9f)]
    public void An_idx_label_that_is_not_a_class_index_is_refused_naming_the_file(float label)
    {
        string folder = RepoPaths.NewTempFolder();
        string images = Path.Combine(folder, "images-idx3"), labels = Path.Combine(folder, "labels-idx1");
        File.WriteAllBytes(images, [0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 10, 20]);
        var bytes = new byte[16];
        bytes[2] = 0x0D;
        bytes[3] = 1;
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), 2);
        BinaryPrimitives.WriteSingleBigEndian(bytes.AsSpan(8), 1f);
        BinaryPrimitives.WriteSingleBigEndian(bytes.AsSpan(12), label);
        File.WriteAllBytes(labels, bytes);
        var e = Assert.Throws<DataFormatException>(() => DataSource.Load(images, new DataOptions { LabelsPath = labels }));
        Assert.StartsWith($"{labels}: label 1 is ", e.Message);
    }

    [Fact]
    public void A_data_set_built_by_hand_refuses_a_negative_label()
    {
        var e = Assert.Throws<ArgumentException>(() => new Dataset(new float[4], [2], [0, -1]));
        Assert.StartsWith("labels[1] is -1; expected a class from 0 to 65535", e.Message);
    }
}

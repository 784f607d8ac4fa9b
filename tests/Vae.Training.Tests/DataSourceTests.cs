using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using SkiaSharp;
using Vae.Tests;
using Vae.Training.Data;

namespace Vae.Training.Tests;

public class DataSourceTests
{
    private static string WriteFile(string name, string text)
    {
        string path = Path.Combine(RepoPaths.NewTempFolder(), name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Csv_with_header_label_column_scale_and_shape()
    {
        string path = WriteFile("d.csv", "label,a,b,c,d\n3,0,255,51,102\n1, 255 ,0,0,0\n\n");
        Dataset data = DataSource.Load(path, new DataOptions { CsvHeader = true, LabelColumn = 0, Shape = [1, 2, 2] });
        Assert.Equal(2, data.Count);
        Assert.Equal([1, 2, 2], data.SampleShape);
        Assert.Equal([3, 1], data.Labels!);
        Assert.Equal(4, data.ClassCount);
        Assert.Equal([0f, 1f, 0.2f, 0.4f, 1f, 0f, 0f, 0f], data.Features);
    }

    [Fact]
    public void Csv_gzip_without_header_keeps_values_in_unit_range_unscaled()
    {
        string path = Path.Combine(RepoPaths.NewTempFolder(), "d.csv.gz");
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        using (var w = new StreamWriter(gz)) w.Write("0.5,0.25\n1e-1,1\n");
        Dataset data = DataSource.Load(path, new DataOptions());
        Assert.Equal([2], data.SampleShape);
        Assert.Null(data.Labels);
        Assert.Equal([0.5f, 0.25f, 0.1f, 1f], data.Features);
    }

    [Theory]
    [InlineData("1,2,3\n4,5\n", "row 2 has 2 columns; the first data row has 3")]
    [InlineData("1,2\n4,x7\n", "row 2, column 2: 'x7' is not a number")]
    [InlineData("1,NaN\n", "row 1, column 2: 'NaN' is not finite")]
    [InlineData("1,2\n1,Infinity\n", "row 2, column 2: 'Infinity' is not finite")]
    [InlineData("1,2\n1e39,2\n", "row 2, column 1: '1e39' is not finite in float32")]   // a finite double that was read as +∞
    [InlineData("", "no data rows")]
    [InlineData("a,b\n1,2\n", "row 1, column 1: 'a' is not a number (if row 1 holds column names, read it as a header: DataOptions.CsvHeader)")]
    [InlineData("1;2\n3;4\n", "row 1, column 1: '1;2' is not a number (columns must be separated by commas")]
    [InlineData("1,2\n3\t4,5\n", "row 2, column 1: '3\t4' is not a number (columns must be separated by commas")]
    [InlineData("1,2\n1,\"2\n", "row 2, column 2: a quoted cell is not closed before the end of the line")]
    public void Bad_csv_names_file_row_and_column(string text, string expected)
    {
        string path = WriteFile("bad.csv", text);
        var e = Assert.Throws<DataFormatException>(() => DataSource.Load(path, new DataOptions()));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Csv_cells_in_quotes_read_as_their_numbers()
    {
        // what spreadsheet exports and csv.writer(quoting=QUOTE_ALL) write
        string quoted = WriteFile("q.csv", "\"label\",\"a\",\"b\"\r\n\"3\",\"255\",\" 51 \"\r\n\"1\",0,\"1e2\"\r\n");
        string plain = WriteFile("p.csv", "label,a,b\n3,255,51\n1,0,1e2\n");
        var options = new DataOptions { CsvHeader = true, LabelColumn = 0 };
        Dataset fromQuoted = DataSource.Load(quoted, options), fromPlain = DataSource.Load(plain, options);
        Assert.Equal(fromPlain.Features, fromQuoted.Features);
        Assert.Equal(fromPlain.Labels!, fromQuoted.Labels!);
        Assert.Equal([1f, 0.2f, 0f, 100f / 255f], fromQuoted.Features);
    }

    [Fact]
    public void Csv_values_are_rounded_once_to_float32()
    {
        // just below the midpoint between 1 + 2^-23 and 1 + 2^-22: as a double it is the midpoint itself, which then
        // rounds (ties to even) up to 1 + 2^-22; read straight as float32 it is 1 + 2^-23, the nearest float
        string path = WriteFile("r.csv", "1.0000001788139343,0\n");
        Dataset data = DataSource.Load(path, new DataOptions { Scale = 1 });
        Assert.Equal(BitConverter.Int32BitsToSingle(0x3F800001), data.Features[0]);
        Assert.NotEqual((float)double.Parse("1.0000001788139343", CultureInfo.InvariantCulture), data.Features[0]);
    }

    [Theory]
    [InlineData("1,2,3", new[] { "1", "2", "3" })]
    [InlineData("\"a,b\",\"say \"\"hi\"\"\",", new[] { "a,b", "say \"hi\"", "" })]
    [InlineData("\"\"", new[] { "" })]
    public void A_csv_row_splits_into_its_cells(string line, string[] cells) => Assert.Equal(cells, CsvRow.Split(line, "x.csv", 1));

    [Fact]
    public void Bad_csv_labels_and_shapes_are_named()
    {
        string path = WriteFile("l.csv", "0.5,1\n0.5,2.5\n");
        Assert.Contains("row 2, column 2: label '2.5' is not a non-negative integer",
            Assert.Throws<DataFormatException>(() => DataSource.Load(path, new DataOptions { LabelColumn = 1 })).Message);
        Assert.Contains("label column 4",
            Assert.Throws<DataFormatException>(() => DataSource.Load(path, new DataOptions { LabelColumn = 4 })).Message);
        Assert.Contains("needs 4",
            Assert.Throws<DataFormatException>(() => DataSource.Load(path, new DataOptions { Shape = [2, 2] })).Message);
    }

    [Theory]
    // the product wrapped in int: "needs -1530494976"; negative dimensions with a matching product were accepted
    [InlineData(new[] { 100000, 100000, 100000 }, "rows have 12 values but the sample shape [100000, 100000, 100000] needs 1000000000000000.")]
    [InlineData(new[] { -1, -12 }, "the sample shape is [-1, -12]; expected positive dimensions such as 1,28,28.")]
    [InlineData(new[] { 0, 12 }, "the sample shape is [0, 12]; expected positive dimensions such as 1,28,28.")]
    public void A_csv_shape_with_an_overflowing_product_or_non_positive_dimensions_is_named(int[] shape, string expected)
    {
        string path = WriteFile("s.csv", string.Concat(Enumerable.Repeat(string.Join(',', Enumerable.Repeat("0.5", 12)) + "\n", 3)));
        Assert.Contains($"{path}: {expected}",
            Assert.Throws<DataFormatException>(() => DataSource.Load(path, new DataOptions { Shape = shape })).Message);
    }

    [Theory]
    [InlineData(new[] { 65536, 65536 }, "sample shape [65536, 65536] holds 4294967296 values; one sample holds at most 2147483647")]   // was "has no elements" (wrapped to 0)
    [InlineData(new[] { -1, -12 }, "sample shape [-1, -12] has a dimension ≤ 0")]                                                    // was accepted (product 12)
    public void A_dataset_refuses_sample_shapes_whose_size_is_not_a_positive_int(int[] shape, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => new Dataset(new float[24], shape));
        Assert.Contains(expected, e.Message);
        Assert.Equal("sampleShape", e.ParamName);
    }

    private static byte[] Idx(byte type, int[] shape, byte[] payload)
    {
        var bytes = new byte[4 + 4 * shape.Length + payload.Length];
        bytes[2] = type;
        bytes[3] = (byte)shape.Length;
        for (int i = 0; i < shape.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), shape[i]);
        payload.CopyTo(bytes, 4 + 4 * shape.Length);
        return bytes;
    }

    [Fact]
    public void Idx_gz_images_with_labels_and_mismatched_labels()
    {
        string folder = RepoPaths.NewTempFolder();
        string images = Path.Combine(folder, "images.idx.gz");
        using (var gz = new GZipStream(File.Create(images), CompressionLevel.Fastest))
            gz.Write(Idx(0x08, [2, 2, 2], [0, 255, 255, 0, 51, 51, 51, 51]));
        string labels = Path.Combine(folder, "labels.idx");
        File.WriteAllBytes(labels, Idx(0x08, [2], [4, 1]));
        Dataset data = DataSource.Load(images, new DataOptions { LabelsPath = labels });
        Assert.Equal([1, 2, 2], data.SampleShape);
        Assert.Equal([4, 1], data.Labels!);
        Assert.Equal([0f, 1f, 1f, 0f, 0.2f, 0.2f, 0.2f, 0.2f], data.Features);

        string wrong = Path.Combine(folder, "wrong.idx");
        File.WriteAllBytes(wrong, Idx(0x08, [3], [1, 2, 3]));
        var e = Assert.Throws<DataFormatException>(() => DataSource.Load(images, new DataOptions { LabelsPath = wrong }));
        Assert.Contains("wrong.idx", e.Message);
        Assert.Contains("expected [2]", e.Message);
    }

    [Fact]
    public void Every_reader_maps_a_byte_b_to_b_divided_by_255_as_torchvision_does()
    {
        // torchvision's ToTensor computes b / 255 in float32; b × (1/255f) differs from it by an ulp for 126 of the 256 bytes.
        byte[] bytes = Enumerable.Range(0, 256).Select(b => (byte)b).ToArray();
        float[] expected = bytes.Select(b => b / 255f).ToArray();
        string folder = RepoPaths.NewTempFolder();
        string images = Path.Combine(folder, "images.idx"), labels = Path.Combine(folder, "labels.idx");
        File.WriteAllBytes(images, Idx(0x08, [16, 4, 4], bytes));
        File.WriteAllBytes(labels, Idx(0x08, [16], new byte[16]));
        string csv = WriteFile("bytes.csv", string.Join('\n', bytes.Chunk(16).Select(row => string.Join(',', row))));
        string png = Path.Combine(RepoPaths.NewTempFolder(), "bytes.png");
        using (var bitmap = new SKBitmap(16, 16, SKColorType.Gray8, SKAlphaType.Opaque))
        {
            for (int i = 0; i < 256; i++) bitmap.SetPixel(i % 16, i / 16, new SKColor(bytes[i], bytes[i], bytes[i]));
            using SKData data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(png, data.ToArray());
        }

        Assert.Equal(expected, Mnist.FromIdx(images, labels).Features);
        Assert.Equal(expected, DataSource.Load(images, new DataOptions()).Features);
        Assert.Equal(expected, DataSource.Load(csv, new DataOptions()).Features);
        Assert.Equal(expected, DataSource.Load(Path.GetDirectoryName(png)!, new DataOptions()).Features);
    }

    [Fact]
    public void An_MNIST_folder_is_read_with_the_scale_given_like_every_reader()
    {
        // It was always read as b / 255: --scale 1 was dropped silently and trained on b / 255 anyway.
        string mnist = RepoPaths.RequireMnist();
        Dataset bytes = DataSource.LoadTest(mnist, new DataOptions { Scale = 1, Limit = 2 });
        Assert.Equal(IdxReader.Read(Path.Combine(mnist, "t10k-images-idx3-ubyte")).Values[..(2 * 784)], bytes.Features);
        Assert.Equal(Vae.Inference.InputNormalization.Scale(1f), bytes.Normalization);
        Assert.Equal(DataSource.LoadTest(mnist, new DataOptions { Limit = 2 }).Features, DataSource.LoadTest(mnist, new DataOptions { Scale = 255, Limit = 2 }).Features);
    }

    [Fact]
    public void Missing_data_says_what_was_expected()
    {
        var e = Assert.Throws<FileNotFoundException>(() => DataSource.Load("/nonexistent/x.csv", new DataOptions()));
        Assert.Contains("expected an MNIST folder", e.Message);
    }

    [Fact]
    public void Validation_hold_out_is_seeded_and_disjoint()
    {
        var data = new Dataset(Enumerable.Range(0, 20).Select(i => (float)i).ToArray(), [1], Enumerable.Range(0, 20).ToArray());
        var (train, validation) = DataSplit.HoldOut(data, 5, seed: 3);
        var (_, again) = DataSplit.HoldOut(data, 5, seed: 3);
        Assert.Equal(15, train.Count);
        Assert.Equal(validation!.Features, again!.Features);
        Assert.Empty(train.Features.Intersect(validation.Features));
        Assert.Throws<ArgumentException>(() => DataSplit.HoldOut(data, 20, seed: 3));
    }
}

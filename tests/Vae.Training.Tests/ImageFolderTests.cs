using SkiaSharp;
using Vae.Tests;
using Vae.Training.Data;

namespace Vae.Training.Tests;

/// <summary>Folders of images (<see cref="ImageFolder"/>) read through <see cref="DataSource"/>: formats, colour, alpha,
/// class sub-folders, resizing, grayscale, and the errors that name the problem image.</summary>
public class ImageFolderTests
{
    private static void Png(string path, int width, int height, Func<int, int, SKColor> pixel)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) bitmap.SetPixel(x, y, pixel(x, y));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    [Fact]
    public void Png_folder_with_class_sub_folders_gives_labelled_grayscale_samples()
    {
        string root = RepoPaths.NewTempFolder();
        Png(Path.Combine(root, "cat", "a.png"), 3, 2, (x, y) => new SKColor(255, 255, 255));
        Png(Path.Combine(root, "cat", "b.png"), 3, 2, (x, y) => new SKColor(0, 0, 0));
        Png(Path.Combine(root, "dog", "c.png"), 3, 2, (x, y) => x == 0 ? new SKColor(51, 51, 51) : new SKColor(0, 0, 0));
        Dataset data = DataSource.Load(root, new DataOptions());
        Assert.Equal(3, data.Count);
        Assert.Equal([1, 2, 3], data.SampleShape);
        Assert.Equal([0, 0, 1], data.Labels!);
        Assert.Equal(["cat", "dog"], data.ClassNames!);
        Assert.Equal(["cat/a.png", "cat/b.png", "dog/c.png"], data.SampleNames!);
        Assert.Equal(["dog/c.png", "cat/a.png"], data.Subset([2, 0]).SampleNames!);
        Assert.All(data.Features[..6], v => Assert.Equal(1f, v));
        Assert.Equal(0.2f, data.Features[12], 5);
        Assert.Equal(0f, data.Features[13]);
    }

    [Fact]
    public void Png_folder_of_colour_images_gives_rgb_planes()
    {
        string root = RepoPaths.NewTempFolder();
        Png(Path.Combine(root, "1.png"), 2, 2, (x, y) => new SKColor(255, 0, 51));
        Png(Path.Combine(root, "2.png"), 2, 2, (x, y) => new SKColor(0, 0, 0));
        Dataset data = DataSource.Load(root, new DataOptions());
        Assert.Equal([3, 2, 2], data.SampleShape);
        Assert.Null(data.Labels);
        Assert.Equal(["1.png", "2.png"], data.SampleNames!);
        Assert.Equal([1f, 1f, 1f, 1f, 0f, 0f, 0f, 0f, 0.2f, 0.2f, 0.2f, 0.2f], data.Features[..12]);
    }

    [Fact]
    public void Bad_png_folders_name_the_problem_image()
    {
        string empty = RepoPaths.NewTempFolder();
        Assert.Contains("no images; expected PNG, JPEG, WebP, BMP or GIF files", Assert.Throws<DataFormatException>(() => DataSource.Load(empty, new DataOptions())).Message);

        string mixed = RepoPaths.NewTempFolder();
        Png(Path.Combine(mixed, "a.png"), 4, 4, (x, y) => SKColors.White);
        Png(Path.Combine(mixed, "b.png"), 5, 4, (x, y) => SKColors.White);
        var e = Assert.Throws<DataFormatException>(() => DataSource.Load(mixed, new DataOptions()));
        Assert.Contains("b.png", e.Message);
        Assert.Contains("5×4", e.Message);
        Assert.Contains("4×4", e.Message);

        string broken = RepoPaths.NewTempFolder();
        File.WriteAllText(Path.Combine(broken, "x.png"), "not a png");
        Assert.Contains("x.png: not a decodable image; expected PNG, JPEG, WebP, BMP or GIF", Assert.Throws<DataFormatException>(() => DataSource.Load(broken, new DataOptions())).Message);
    }

    [Fact]
    public void Png_colour_values_are_read_as_stored_whatever_the_alpha()
    {
        // premultiplying (Skia's default decode) turned R = 201 at alpha 3 into 170, and lost every colour at alpha 0
        string root = RepoPaths.NewTempFolder();
        int[] alphas = [255, 128, 3, 0];
        RawPng.Write(Path.Combine(root, "a.png"), 4, 1, RawPng.Rgba, 8, (x, y) => [201, 17 + x, 99, alphas[x]]);
        Dataset data = DataSource.Load(root, new DataOptions());
        Assert.Equal([3, 1, 4], data.SampleShape);
        Assert.Equal(new[] { 201, 201, 201, 201, 17, 18, 19, 20, 99, 99, 99, 99 }.Select(b => b / 255f), data.Features);
    }

    [Fact]
    public void Png_gray_alpha_16_bit_and_palette_images_read_as_the_8_bit_values_they_show()
    {
        string gray = RepoPaths.NewTempFolder();
        RawPng.Write(Path.Combine(gray, "ga.png"), 3, 1, RawPng.GrayAlpha, 8, (x, y) => [50 * x, 7]);
        RawPng.Write(Path.Combine(gray, "g16.png"), 3, 1, RawPng.Gray, 16, (x, y) => [257 * (60 + x)]);
        Dataset grayData = DataSource.Load(gray, new DataOptions());
        Assert.Equal([1, 1, 3], grayData.SampleShape);
        Assert.Equal(new[] { 60, 61, 62, 0, 50, 100 }.Select(b => b / 255f), grayData.Features);   // g16.png sorts first

        string palette = RepoPaths.NewTempFolder();
        RawPng.Write(Path.Combine(palette, "p.png"), 2, 1, RawPng.Palette, 8, (x, y) => [x], palette: [10, 20, 30, 40, 50, 60]);
        Dataset paletteData = DataSource.Load(palette, new DataOptions());
        Assert.Equal([3, 1, 2], paletteData.SampleShape);
        Assert.Equal(new[] { 10, 40, 20, 50, 30, 60 }.Select(b => b / 255f), paletteData.Features);
    }

    [Fact]
    public void Png_classes_hold_images_anywhere_below_them_and_hidden_files_are_skipped()
    {
        string root = RepoPaths.NewTempFolder();
        Func<int, int, int[]> pixel = (x, y) => [128];
        foreach (string name in new[] { "cat/a.png", "cat/2024/b.PNG", "dog/c.png", "dog/._c.png", ".thumbs/d.png", "dog/.cache/e.png", "notes/readme.txt" })
        {
            string path = Path.Combine(root, name);
            if (name.EndsWith(".txt", StringComparison.Ordinal) || name.Contains("._", StringComparison.Ordinal))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, "not an image");   // what macOS leaves beside copied files
            }
            else RawPng.Write(path, 2, 2, RawPng.Gray, 8, pixel);
        }
        Dataset data = DataSource.Load(root, new DataOptions());
        Assert.Equal(["cat/2024/b.PNG", "cat/a.png", "dog/c.png"], data.SampleNames!);
        Assert.Equal([0, 0, 1], data.Labels!);
        Assert.Equal(["cat", "dog"], data.ClassNames!);
    }

    [Fact]
    public void Pngs_both_beside_and_inside_class_folders_are_refused_rather_than_dropped()
    {
        string root = RepoPaths.NewTempFolder();
        RawPng.Write(Path.Combine(root, "loose.png"), 2, 2, RawPng.Gray, 8, (x, y) => [1]);
        RawPng.Write(Path.Combine(root, "cat", "a.png"), 2, 2, RawPng.Gray, 8, (x, y) => [1]);
        var e = Assert.Throws<DataFormatException>(() => DataSource.Load(root, new DataOptions()));
        Assert.Contains("1 image(s) lie directly in the folder (e.g. loose.png) beside 1 class sub-folder(s) (cat)", e.Message);
    }

    [Fact]
    public void A_truncated_png_is_named()
    {
        string root = RepoPaths.NewTempFolder();
        byte[] png = RawPng.Encode(16, 16, RawPng.Gray, 8, (x, y) => [x * y]);
        File.WriteAllBytes(Path.Combine(root, "cut.png"), png[..(png.Length - 30)]);
        var e = Assert.Throws<DataFormatException>(() => DataSource.Load(root, new DataOptions()));
        Assert.Contains("cut.png: not a decodable PNG image", e.Message);
    }

    private static void Encode(string path, SKBitmap bitmap, SKEncodedImageFormat format, int quality = 100)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using SKData data = bitmap.Encode(format, quality);
        File.WriteAllBytes(path, data.ToArray());
    }

    private static SKBitmap Bitmap(int width, int height, Func<int, int, SKColor> pixel)
    {
        var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) bitmap.SetPixel(x, y, pixel(x, y));
        return bitmap;
    }

    private static float[] Scaled(IEnumerable<int> bytes) => bytes.Select(b => b / 255f).ToArray();

    [Fact]
    public void Jpeg_webp_bmp_and_gif_images_read_as_the_pixels_they_hold()
    {
        var random = new Random(5);
        var rgb = new (byte R, byte G, byte B)[12];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = ((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
        float[] planes = Scaled(rgb.Select(p => (int)p.R).Concat(rgb.Select(p => (int)p.G)).Concat(rgb.Select(p => (int)p.B)));

        string root = RepoPaths.NewTempFolder();
        using (SKBitmap bitmap = Bitmap(4, 3, (x, y) => new SKColor(rgb[4 * y + x].R, rgb[4 * y + x].G, rgb[4 * y + x].B)))
        {
            using SKPixmap pixmap = bitmap.PeekPixels()!;
            using SKData webp = pixmap.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 100))!;
            File.WriteAllBytes(Path.Combine(root, "a-lossless.webp"), webp.ToArray());
        }
        RawBmpGif.WriteBmp(Path.Combine(root, "b.BMP"), 4, 3, (x, y) => rgb[4 * y + x]);
        Dataset data = DataSource.Load(root, new DataOptions());
        Assert.Equal(["a-lossless.webp", "b.BMP"], data.SampleNames!);
        Assert.Equal([3, 3, 4], data.SampleShape);
        Assert.Equal(planes, data.Features[..36]);
        Assert.Equal(planes, data.Features[36..]);

        // GIF: palette indices; JPEG: a flat gray is stored exactly even by a lossy codec
        string gray = RepoPaths.NewTempFolder();
        RawBmpGif.WriteGif(Path.Combine(gray, "g.gif"), 3, 2, [0, 0, 0, 77, 77, 77, 200, 200, 200, 255, 255, 255], (x, y) => (x + y) % 4);
        using (SKBitmap flat = Bitmap(16, 16, (x, y) => new SKColor(77, 77, 77))) Encode(Path.Combine(gray, "j.jpg"), flat, SKEncodedImageFormat.Jpeg, 90);
        RawBmpGif.WriteBmp(Path.Combine(gray, "k.bmp"), 3, 2, (x, y) => (0, 0, 0));
        var e = Assert.Throws<DataFormatException>(() => DataSource.Load(gray, new DataOptions()));
        Assert.Contains("j.jpg: image is 16×16; ", e.Message);   // sizes are checked across formats

        File.Delete(Path.Combine(gray, "j.jpg"));
        using (SKBitmap flat = Bitmap(3, 2, (x, y) => new SKColor(77, 77, 77))) Encode(Path.Combine(gray, "j.jpeg"), flat, SKEncodedImageFormat.Jpeg, 90);
        Dataset grayData = DataSource.Load(gray, new DataOptions());
        Assert.Equal(["g.gif", "j.jpeg", "k.bmp"], grayData.SampleNames!);
        Assert.Equal([1, 2, 3], grayData.SampleShape);
        Assert.Equal(Scaled([0, 77, 200, 77, 200, 255]), grayData.Features[..6]);
        Assert.All(grayData.Features[6..12], v => Assert.Equal(77 / 255f, v));
        Assert.All(grayData.Features[12..], v => Assert.Equal(0f, v));
    }

    [Fact]
    public void A_truncated_jpeg_is_named_with_its_format()
    {
        string root = RepoPaths.NewTempFolder();
        var random = new Random(2);
        using SKBitmap bitmap = Bitmap(64, 64, (x, y) => new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
        using SKData jpeg = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        File.WriteAllBytes(Path.Combine(root, "cut.jpg"), jpeg.ToArray()[..(int)(jpeg.Size / 2)]);
        var e = Assert.Throws<DataFormatException>(() => DataSource.Load(root, new DataOptions()));
        Assert.Contains("cut.jpg: not a decodable JPEG image (IncompleteInput)", e.Message);
    }

    [Fact]
    public void Resize_to_half_averages_each_two_by_two_block()
    {
        // Area averaging: each output pixel is the mean of the four it covers. Alpha plays no part.
        var random = new Random(7);
        var blocks = new int[14 * 14];
        for (int i = 0; i < blocks.Length; i++) blocks[i] = random.Next(256);
        string root = RepoPaths.NewTempFolder();
        RawPng.Write(Path.Combine(root, "a.png"), 28, 28, RawPng.Rgba, 8, (x, y) => [blocks[y / 2 * 14 + x / 2], 0, 0, (x + y) % 2 == 0 ? 0 : 255]);
        Dataset data = DataSource.Load(root, new DataOptions { ImageSize = [14, 14] });
        Assert.Equal([3, 14, 14], data.SampleShape);
        Assert.Equal(Scaled(blocks), data.Features[..196]);
        Assert.All(data.Features[196..], v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Resize_weights_partly_covered_pixels_by_their_share_of_the_area()
    {
        // 3 → 2 pixels: the first output covers pixel 0 and half of pixel 1, the second half of pixel 1 and pixel 2.
        string root = RepoPaths.NewTempFolder();
        RawPng.Write(Path.Combine(root, "a.png"), 3, 3, RawPng.Gray, 8, (x, y) => [90 * x]);
        Dataset data = DataSource.Load(root, new DataOptions { ImageSize = [2, 2] });
        Assert.Equal(Scaled([30, 150, 30, 150]), data.Features);   // (0 + 45) / 1.5, (45 + 180) / 1.5
    }

    [Fact]
    public void Resize_crops_the_centre_to_the_target_aspect_ratio_and_brings_mixed_sizes_to_one()
    {
        // 10 × 6 → 6 × 6: the middle six columns, untouched (no resampling at the same size).
        var random = new Random(11);
        var middle = new int[36];
        for (int i = 0; i < middle.Length; i++) middle[i] = random.Next(256);
        string root = RepoPaths.NewTempFolder();
        RawPng.Write(Path.Combine(root, "a-wide.png"), 10, 6, RawPng.Gray, 8, (x, y) => [x is >= 2 and < 8 ? middle[6 * y + x - 2] : 255]);
        RawPng.Write(Path.Combine(root, "b-tall.png"), 3, 5, RawPng.Gray, 8, (x, y) => [y is >= 1 and < 4 ? 40 : 255]);   // 3 × 3 centre, enlarged
        RawPng.Write(Path.Combine(root, "c-small.png"), 2, 2, RawPng.Gray, 8, (x, y) => [90]);

        Assert.Contains("(or be brought to one: DataOptions.ImageSize)",
            Assert.Throws<DataFormatException>(() => DataSource.Load(root, new DataOptions())).Message);
        Dataset data = DataSource.Load(root, new DataOptions { ImageSize = [6, 6] });
        Assert.Equal(3, data.Count);
        Assert.Equal([1, 6, 6], data.SampleShape);
        Assert.Equal(Scaled(middle), data.Features[..36]);
        Assert.All(data.Features[36..], v => Assert.Contains(v, new[] { 40 / 255f, 90 / 255f }));   // flat regions stay flat when enlarged
        Assert.Equal(Enumerable.Repeat(40 / 255f, 36), data.Features[36..72]);
    }

    [Fact]
    public void Grayscale_reads_colour_as_bt601_luma_and_leaves_gray_images_alone()
    {
        string root = RepoPaths.NewTempFolder();
        RawPng.Write(Path.Combine(root, "a.png"), 3, 1, RawPng.Rgb, 8, (x, y) => x switch { 0 => [200, 100, 50], 1 => [255, 0, 0], _ => [0, 0, 255] });
        RawPng.Write(Path.Combine(root, "b.png"), 3, 1, RawPng.Gray, 8, (x, y) => [10 * x + 1]);
        Dataset rgb = DataSource.Load(root, new DataOptions());
        Assert.Equal([3, 1, 3], rgb.SampleShape);

        Dataset gray = DataSource.Load(root, new DataOptions { Grayscale = true });
        Assert.Equal([1, 1, 3], gray.SampleShape);
        // PIL's L = (R·19595 + G·38470 + B·7471 + 2^15) >> 16: 0.299 R + 0.587 G + 0.114 B, rounded.
        Assert.Equal(Scaled([124, 76, 29, 1, 11, 21]), gray.Features);
    }

    [Fact]
    public void Image_options_on_other_data_and_bad_sizes_are_refused()
    {
        string csv = Path.Combine(RepoPaths.NewTempFolder(), "d.csv");
        File.WriteAllText(csv, "0,1\n");
        Assert.Contains("DataOptions.ImageSize applies to folders of images; " + csv + " is a file",
            Assert.Throws<ArgumentException>(() => DataSource.Load(csv, new DataOptions { ImageSize = [2, 2] })).Message);
        Assert.Contains("DataOptions.Grayscale applies to folders of images",
            Assert.Throws<ArgumentException>(() => DataSource.Load(csv, new DataOptions { Grayscale = true })).Message);
        // checked before the file is read: an infinite scale read every row, then divided them all to 0
        Assert.Contains("DataOptions.Scale is Infinity; expected a finite value > 0, or 0 for automatic",
            Assert.Throws<ArgumentException>(() => DataSource.Load(csv, new DataOptions { Scale = double.PositiveInfinity })).Message);

        string root = RepoPaths.NewTempFolder();
        RawPng.Write(Path.Combine(root, "a.png"), 2, 2, RawPng.Gray, 8, (x, y) => [1]);
        foreach (int[] size in new[] { new[] { 0, 4 }, [4], [5000, 5000] })
            Assert.Contains($"DataOptions.ImageSize is [{string.Join(", ", size)}]; expected [height, width], both > 0 and at most 16,777,216 pixels",
                Assert.Throws<ArgumentException>(() => DataSource.Load(root, new DataOptions { ImageSize = size })).Message);
    }

    [Fact]
    public void Limit_decodes_only_the_first_images_and_keeps_every_class()
    {
        string root = RepoPaths.NewTempFolder();
        RawPng.Write(Path.Combine(root, "a", "1.png"), 2, 2, RawPng.Gray, 8, (x, y) => [10]);
        RawPng.Write(Path.Combine(root, "a", "2.png"), 2, 2, RawPng.Gray, 8, (x, y) => [20]);
        Directory.CreateDirectory(Path.Combine(root, "b"));
        File.WriteAllText(Path.Combine(root, "b", "3.png"), "not an image");   // never decoded
        Dataset data = DataSource.Load(root, new DataOptions { Limit = 2 });
        Assert.Equal(["a/1.png", "a/2.png"], data.SampleNames!);
        Assert.Equal(["a", "b"], data.ClassNames!);
        Assert.Equal(2, data.ClassCount);
        Assert.Contains("3.png: not a decodable image", Assert.Throws<DataFormatException>(() => DataSource.Load(root, new DataOptions())).Message);
        Assert.Contains("Limit is -1", Assert.Throws<ArgumentException>(() => DataSource.Load(root, new DataOptions { Limit = -1 })).Message);
    }

    [Fact]
    public void A_folder_too_large_for_one_array_is_refused_after_its_first_image()
    {
        // 128 one-pixel images at 4,096 × 4,096 are 2^31 values: one more than an array holds, known from the first image.
        string root = RepoPaths.NewTempFolder();
        byte[] png = RawPng.Encode(1, 1, RawPng.Gray, 8, (x, y) => [1]);
        for (int i = 0; i < 127; i++) File.WriteAllBytes(Path.Combine(root, $"{i:D3}.png"), png);
        File.WriteAllText(Path.Combine(root, "999.png"), "not an image");   // last: never reached
        var e = Assert.Throws<DataFormatException>(() => DataSource.Load(root, new DataOptions { ImageSize = [4096, 4096] }));
        Assert.Contains("128 images of 1×4096×4096 are 2,147,483,648 values, more than one array holds (2,147,483,591); read fewer (DataOptions.Limit) or smaller ones (DataOptions.ImageSize)", e.Message);
    }

    [Fact]
    public void Images_decoded_in_parallel_keep_file_order_and_report_the_first_bad_image()
    {
        string root = RepoPaths.NewTempFolder();
        for (int i = 0; i < 64; i++) RawPng.Write(Path.Combine(root, $"{i:D2}.png"), 2, 1, RawPng.Gray, 8, (x, y) => [i, 100 + i]);
        Dataset data = DataSource.Load(root, new DataOptions());
        Assert.Equal(Scaled(Enumerable.Range(0, 64).SelectMany(i => new[] { i, 100 + i })), data.Features);

        foreach (string bad in new[] { "50.png", "09.png", "40.png" }) File.WriteAllText(Path.Combine(root, bad), "not an image");
        for (int run = 0; run < 3; run++)
            Assert.Contains("09.png: not a decodable image", Assert.Throws<DataFormatException>(() => DataSource.Load(root, new DataOptions())).Message);
    }
}

using Vae.Tests;
using Vae.Training.Data;

namespace Vae.Training.Tests;

/// <summary>
/// Links to folders inside an image folder are not followed (a loop multiplied 40 images into 1,920 samples with
/// wrong labels): each one is named in <see cref="Dataset.Skipped"/>, and the data set is exactly the images that are
/// really there. Links to image files are read as the images they point to.
/// </summary>
public class ImageFolderLinkTests
{
    private static string Digits()
    {
        string folder = RepoPaths.NewTempFolder();
        for (int c = 0; c < 3; c++)
        {
            Directory.CreateDirectory(Path.Combine(folder, $"{c}"));
            for (int i = 0; i < 4; i++)
                RawPng.Write(Path.Combine(folder, $"{c}", $"{i}.png"), 6, 6, RawPng.Gray, 8, (x, y) => [(x + y + c + i) * 10]);
        }
        return folder;
    }

    [Fact]
    public void A_link_back_up_the_tree_is_skipped_and_named_not_followed()
    {
        string folder = Digits();
        Directory.CreateSymbolicLink(Path.Combine(folder, "0", "loop"), "..");
        Dataset data = ImageFolder.Load(folder);
        Assert.Equal(12, data.Count);
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2], data.Labels!);
        Assert.Equal(["0/loop -> .. (a link to a folder; not followed)"], data.Skipped);
    }

    [Fact]
    public void A_class_folder_that_is_a_link_is_skipped_and_named_and_links_to_images_are_read()
    {
        string folder = Digits();
        Directory.CreateSymbolicLink(Path.Combine(folder, "3"), "2");
        File.CreateSymbolicLink(Path.Combine(folder, "1", "extra.png"), Path.Combine("..", "2", "0.png"));
        Dataset data = ImageFolder.Load(folder);
        Assert.Equal(["0", "1", "2"], data.ClassNames);
        Assert.Equal(13, data.Count);
        Assert.Contains("1/extra.png", data.SampleNames!);
        Assert.Equal(["3 -> 2 (a link to a folder; not followed)"], data.Skipped);
        // the linked image reads as the one it points to
        int extra = data.SampleNames!.ToList().IndexOf("1/extra.png"), target = data.SampleNames!.ToList().IndexOf("2/0.png");
        Assert.Equal(data.Features.AsSpan(target * 36, 36).ToArray(), data.Features.AsSpan(extra * 36, 36).ToArray());
    }

    [Fact]
    public void A_broken_link_to_an_image_is_an_error_naming_it()
    {
        string folder = Digits();
        string broken = Path.Combine(folder, "1", "gone.png");
        File.CreateSymbolicLink(broken, "missing.png");
        var e = Assert.Throws<DataFormatException>(() => ImageFolder.Load(folder));
        Assert.StartsWith($"{broken}: the image cannot be read", e.Message);
    }

    [Fact]
    public void What_a_reader_skipped_travels_with_the_samples_it_keeps()
    {
        string folder = Digits();
        Directory.CreateSymbolicLink(Path.Combine(folder, "2", "up"), "..");
        Dataset data = DataSource.Load(folder, new DataOptions { Limit = 5 });
        Assert.Equal(5, data.Count);
        Assert.Equal(["2/up -> .. (a link to a folder; not followed)"], data.Skipped);
        Assert.Equal(data.Skipped, data.Take(2).Skipped);
    }
}

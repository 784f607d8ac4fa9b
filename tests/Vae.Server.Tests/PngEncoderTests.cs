using Vae.Server.Operations;

namespace Vae.Server.Tests;

/// <summary>The PNG writer of the VAE operations: grey and RGB pictures read back pixel for pixel, and its argument checks.</summary>
public class PngEncoderTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Pictures_read_back_pixel_for_pixel(int channels)
    {
        const int width = 37, height = 5;
        byte[] pixels = Enumerable.Range(0, width * height * channels).Select(i => (byte)(i * 7 % 256)).ToArray();
        var (w, h, c, read) = PngReader.Read(PngEncoder.Encode(pixels, width, height, channels));
        Assert.Equal((width, height, channels), (w, h, c));
        Assert.Equal(pixels, read);
    }

    [Fact]
    public void Sizes_channels_and_lengths_are_checked()
    {
        Assert.Contains("the picture is 0×3", Assert.Throws<ArgumentException>(() => PngEncoder.Encode([], 0, 3, 1)).Message);
        Assert.Contains("channels is 2; expected 1 (grey) or 3 (RGB)", Assert.Throws<ArgumentException>(() => PngEncoder.Encode(new byte[8], 2, 2, 2)).Message);
        Assert.Contains("length of pixels is 5, expected 4 (2×2×1)", Assert.Throws<ArgumentException>(() => PngEncoder.Encode(new byte[5], 2, 2, 1)).Message);
    }
}

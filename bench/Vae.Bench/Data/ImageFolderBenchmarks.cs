using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using SkiaSharp;
using Vae.Training.Data;

namespace Vae.Bench.Data;

/// <summary>
/// Reading a folder of photos as a training set: 2,000 colour JPEGs of 178 × 218 pixels (CelebA's size; a seeded
/// gradient and disc each, quality 90, written once in the setup) decoded, centre-cropped and resized on every core by
/// <see cref="ImageFolder"/>, as <c>vae train --data faces/ --resize 64</c> reads them.
/// <c>dotnet run -c Release --project bench/Vae.Bench -- --filter '*ImageFolder*'</c>
/// </summary>
[Config(typeof(InProcessConfig))]
public class ImageFolderBenchmarks
{
    private const int Count = 2000, Width = 178, Height = 218;
    private string folder = "";

    [GlobalSetup]
    public void Setup()
    {
        folder = Path.Combine(Path.GetTempPath(), "vae-bench-images", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var random = new Random(1);
        SKColor Colour() => new((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
        for (int i = 0; i < Count; i++)
        {
            using var bitmap = new SKBitmap(Width, Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
            using (var canvas = new SKCanvas(bitmap))
            {
                using var shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(Width, Height), [Colour(), Colour()], SKShaderTileMode.Clamp);
                using var ground = new SKPaint { Shader = shader };
                canvas.DrawRect(0, 0, Width, Height, ground);
                using var disc = new SKPaint { Color = Colour(), IsAntialias = true };
                canvas.DrawCircle(random.Next(40, 140), random.Next(40, 180), random.Next(20, 50), disc);
            }
            using SKData jpeg = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
            File.WriteAllBytes(Path.Combine(folder, $"{i:D5}.jpg"), jpeg.ToArray());
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    /// <summary>3 × 64 × 64 samples (shrunk 2.8× by area averaging).</summary>
    [Benchmark(Baseline = true)]
    public int Resize64() => ImageFolder.Load(folder, new DataOptions { ImageSize = [64, 64] }).Count;

    /// <summary>3 × 32 × 32 samples (shrunk 5.6×).</summary>
    [Benchmark]
    public int Resize32() => ImageFolder.Load(folder, new DataOptions { ImageSize = [32, 32] }).Count;

    /// <summary>1 × 64 × 64 luma samples (<c>--grayscale</c>).</summary>
    [Benchmark]
    public int Resize64Grayscale() => ImageFolder.Load(folder, new DataOptions { ImageSize = [64, 64], Grayscale = true }).Count;

    private sealed class InProcessConfig : ManualConfig
    {
        public InProcessConfig() =>
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
                .WithWarmupCount(2).WithIterationCount(10).WithInvocationCount(1).WithUnrollFactor(1));
    }
}

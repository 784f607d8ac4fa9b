using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Xml.Linq;
using Microsoft.ML;
using Vae.Inference;
using Vae.Tests;

namespace Vae.MLNet.Tests;

/// <summary>
/// The NuGet packages (<c>make pack</c>): Vae.Inference depends on ONNX Runtime's managed package alone, Vae.MLNet on
/// Vae.Inference and ML.NET, Vae.Training on managed TorchSharp and Vae.Inference and carries the native fix-up; apps
/// outside this repository that restore them from a folder feed, adding the native packages of their choice (here the
/// CPU builds of ONNX Runtime and libtorch), get the same encodings and ML.NET embeddings as the projects here, and
/// train and export a pair (TorchSharp loading on this Debian 12 machine) that the inference library reads.
/// </summary>
public class PackageTests
{
    // A version no earlier run used, so that NuGet's global cache cannot hand back an older package.
    private static readonly string Version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";

    private static readonly Lazy<string> Feed = new(Pack, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The configuration these tests were built in (the packages are made from its binaries, not rebuilt).</summary>
    private static string Configuration =>
        AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar).Contains("Debug") ? "Debug" : "Release";

    private static string Pack()
    {
        string feed = RepoPaths.NewTempFolder();
        foreach (string project in new[] { "inference/Vae.Inference/Vae.Inference.csproj", "inference/Vae.MLNet/Vae.MLNet.csproj", "training/Vae.Training/Vae.Training.csproj" })
            Dotnet(RepoPaths.Root, "pack", Path.Combine(RepoPaths.Root, project), "-c", Configuration, "--no-build", "--no-restore",
                   "-o", feed, $"-p:Version={Version}", "-nologo");
        return feed;
    }

    [Fact]
    public void Inference_package_depends_on_onnx_runtime_alone_and_mlnet_on_inference_and_ml_net()
    {
        Assert.Equal(["Microsoft.ML.OnnxRuntime.Managed"], Dependencies("Vae.Inference"));
        // Google.Protobuf: the ONNX types Vae.MLNet writes graphs with (Microsoft.ML.OnnxTransformer depends on it too)
        Assert.Equal(["Google.Protobuf", "Microsoft.ML", "Microsoft.ML.OnnxTransformer", "Vae.Inference"], Dependencies("Vae.MLNet"));
        Assert.Equal(["Google.Protobuf", "SkiaSharp", "SkiaSharp.NativeAssets.Linux.NoDependencies", "TorchSharp", "Vae.Inference"], Dependencies("Vae.Training"));
        using ZipArchive training = ZipFile.OpenRead(Path.Combine(Feed.Value, $"Vae.Training.{Version}.nupkg"));
        Assert.NotNull(training.GetEntry("buildTransitive/Vae.Training.targets"));
        Assert.NotNull(training.GetEntry("buildTransitive/ElfVersionNeeds.cs"));
    }

    [Theory]
    [InlineData("Vae.Inference")]
    [InlineData("Vae.MLNet")]
    [InlineData("Vae.Training")]
    public void Every_package_carries_the_mit_licence_and_its_readme(string id)
    {
        using ZipArchive package = ZipFile.OpenRead(Path.Combine(Feed.Value, $"{id}.{Version}.nupkg"));
        using Stream nuspec = package.GetEntry($"{id}.nuspec")!.Open();
        XElement license = XDocument.Load(nuspec).Descendants().Single(e => e.Name.LocalName == "license");
        Assert.Equal(("expression", "MIT"), ((string?)license.Attribute("type"), license.Value));
        Assert.NotNull(package.GetEntry("README.md"));
        Assert.StartsWith("MIT License", File.ReadAllText(Path.Combine(RepoPaths.Root, "LICENSE")));
    }

    [Fact]
    public void An_app_on_the_training_package_trains_and_exports_a_pair_the_inference_library_reads()
    {
        string app = NewApp("Vae.Training", ["Microsoft.ML.OnnxRuntime", "libtorch-cpu"], """
            using TorchSharp;
            using Vae.Training.Data;
            using Vae.Training.Models;
            using Vae.Training.Onnx;
            using Vae.Training.Training;

            // Trains a 16-8-2 VAE for two epochs on fixed patterns and exports it (verified against TorchSharp) to args[0].
            var random = new Random(1);
            float[] features = Enumerable.Range(0, 64 * 16).Select(i => (float)((i % 16 + i / 16 % 3) % 2 * 0.8 + random.NextDouble() * 0.1)).ToArray();
            torch.random.manual_seed(1);
            using var model = new MlpVae(new VaeConfig { InputShape = [16], HiddenSizes = [8], LatentSize = 2 });
            var history = new Trainer(model, new TrainOptions { Epochs = 2, BatchSize = 16 }).Fit(new Dataset(features, [16]));
            VaeExporter.Export(model, args[0]);
            Console.WriteLine($"trained {history.Count} epochs");
            """);
        string exported = Path.Combine(app, "model");
        Assert.Contains("trained 2 epochs", Dotnet(app, "run", "-c", "Release", "--no-build", "--", exported));

        // reference.json holds TorchSharp's means for its inputs; the library (ONNX Runtime) must give the same.
        using var reference = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(exported, "reference.json")));
        float[][] Rows(string name) => reference.RootElement.GetProperty(name).EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        using var vae = VaeModel.Load(exported);
        float[] means = vae.Encode(Rows("x").SelectMany(r => r).ToArray()).Mean;
        float[] expected = Rows("mean").SelectMany(r => r).ToArray();
        Assert.Equal(expected.Length, means.Length);
        Assert.All(expected.Zip(means), p => Assert.InRange(MathF.Abs(p.First - p.Second), 0f, 1e-5f));
    }

    [Fact]
    public void An_app_restoring_the_packages_encodes_and_embeds_like_the_projects()
    {
        string app = NewApp("Vae.MLNet", ["Microsoft.ML.OnnxRuntime"], """
            using System.Globalization;
            using Microsoft.ML;
            using Microsoft.ML.Data;
            using Vae.Inference;
            using Vae.MLNet;

            // Prints the posterior means of three fixed inputs, first from VaeModel, then from the ML.NET step.
            using var vae = VaeModel.Load(args[0]);
            float[] x = Enumerable.Range(0, 3 * vae.InputSize).Select(i => i % 11 / 10f).ToArray();
            Print(vae.Encode(x).Mean);
            var ml = new MLContext(seed: 1);
            var rows = Enumerable.Range(0, 3).Select(r => new Row { X = x[(r * vae.InputSize)..((r + 1) * vae.InputSize)] });
            var schema = SchemaDefinition.Create(typeof(Row));
            schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, vae.InputSize);
            IDataView data = ml.Data.LoadFromEnumerable(rows, schema);
            IDataView embedded = ml.Transforms.VaeEmbedding("Embedding", "X", args[0]).Fit(data).Transform(data);
            Print(embedded.GetColumn<VBuffer<float>>("Embedding").SelectMany(v => v.DenseValues()).ToArray());

            static void Print(float[] values) => Console.WriteLine(string.Join(' ', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));

            public sealed class Row { public float[] X { get; set; } = []; }
            """);
        string[] lines = Dotnet(app, "run", "-c", "Release", "--no-build", "--", TestData.ModelPath)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        using var vae = VaeModel.Load(TestData.ModelPath);
        float[] x = Enumerable.Range(0, 3 * vae.InputSize).Select(i => i % 11 / 10f).ToArray();
        string expected = string.Join(' ', vae.Encode(x).Mean.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        Assert.Equal([expected, expected], lines);
    }

    /// <summary>A console app in a new folder that restores <paramref name="package"/> (this run's version) from the
    /// feed, and the <paramref name="natives"/> at the versions Directory.Packages.props pins, with <paramref name="program"/>
    /// as Program.cs; built. Returns its folder.</summary>
    private static string NewApp(string package, string[] natives, string program)
    {
        string app = RepoPaths.NewTempFolder();
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="vae-packages" value="{Feed.Value}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <!-- libtorch's native libraries are ~475 MB: link them from the package cache instead of copying. -->
                <CreateHardLinksForCopyLocalIfPossible>true</CreateHardLinksForCopyLocalIfPossible>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{package}" Version="{Version}" />
            {string.Concat(natives.Select(n => $"    <PackageReference Include=\"{n}\" Version=\"{CentralVersion(n)}\" />\n"))}  </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), program);
        Dotnet(app, "build", "-c", "Release", "-nologo");
        return app;
    }

    /// <summary>The version Directory.Packages.props gives package <paramref name="id"/>.</summary>
    private static string CentralVersion(string id)
    {
        XDocument props = XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Packages.props"));
        return props.Descendants("PackageVersion").Single(e => (string?)e.Attribute("Include") == id).Attribute("Version")!.Value;
    }

    /// <summary>The dependency ids in the nuspec of the package <paramref name="id"/>, sorted.</summary>
    private static string[] Dependencies(string id)
    {
        using ZipArchive package = ZipFile.OpenRead(Path.Combine(Feed.Value, $"{id}.{Version}.nupkg"));
        using Stream nuspec = package.GetEntry($"{id}.nuspec")!.Open();
        return XDocument.Load(nuspec).Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => (string)e.Attribute("id")!).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Runs <c>dotnet args…</c> in <paramref name="folder"/> without build servers; returns its standard output.</summary>
    private static string Dotnet(string folder, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) start.ArgumentList.Add(a);
        if (args[0] is "build" or "pack") start.ArgumentList.Add("--disable-build-servers");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), $"dotnet {string.Join(' ', args)} did not finish in 5 minutes");
        Assert.True(process.ExitCode == 0, string.Create(CultureInfo.InvariantCulture,
            $"dotnet {string.Join(' ', args)} exited with {process.ExitCode}:\n{output}\n{error.Result}"));
        return output;
    }
}

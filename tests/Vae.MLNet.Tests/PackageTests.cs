using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Xml.Linq;
using Microsoft.ML;
using Vae.Inference;
using Vae.Tests;

namespace Vae.MLNet.Tests;

/// <summary>
/// The NuGet packages of the inference libraries (<c>make pack</c>): Vae.Inference depends on ONNX Runtime alone,
/// Vae.MLNet on Vae.Inference and ML.NET; and an app outside this repository that restores both packages from a
/// folder feed gets the same encodings and ML.NET embeddings as the projects here.
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
        foreach (string project in new[] { "inference/Vae.Inference/Vae.Inference.csproj", "inference/Vae.MLNet/Vae.MLNet.csproj" })
            Dotnet(RepoPaths.Root, "pack", Path.Combine(RepoPaths.Root, project), "-c", Configuration, "--no-build", "--no-restore",
                   "-o", feed, $"-p:Version={Version}", "-nologo");
        return feed;
    }

    [Fact]
    public void Inference_package_depends_on_onnx_runtime_alone_and_mlnet_on_inference_and_ml_net()
    {
        Assert.Equal(["Microsoft.ML.OnnxRuntime"], Dependencies("Vae.Inference"));
        Assert.Equal(["Microsoft.ML", "Microsoft.ML.OnnxTransformer", "Vae.Inference"], Dependencies("Vae.MLNet"));
    }

    [Fact]
    public void An_app_restoring_the_packages_encodes_and_embeds_like_the_projects()
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
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Vae.Inference" Version="{Version}" />
                <PackageReference Include="Vae.MLNet" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
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

        Dotnet(app, "build", "-c", "Release", "-nologo");
        string[] lines = Dotnet(app, "run", "-c", "Release", "--no-build", "--", TestData.ModelPath)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        using var vae = VaeModel.Load(TestData.ModelPath);
        float[] x = Enumerable.Range(0, 3 * vae.InputSize).Select(i => i % 11 / 10f).ToArray();
        string expected = string.Join(' ', vae.Encode(x).Mean.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        Assert.Equal([expected, expected], lines);
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

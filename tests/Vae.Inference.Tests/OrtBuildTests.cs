using System.Text;

namespace Vae.Inference.Tests;

/// <summary>What a provider library needs, read from its bytes: names, families and major versions of the GPU runtimes.</summary>
public class OrtBuildTests
{
    [Theory]
    [InlineData("libcudart.so.13", "CUDA", "13")]
    [InlineData("libcublasLt.so.13", "CUDA", "13")]
    [InlineData("libcurand.so.10", "CUDA", "10")]
    [InlineData("libcudnn.so.9", "cuDNN", "9")]
    [InlineData("libnvinfer.so.10", "TensorRT", "10")]
    [InlineData("libcuda.so.1", NativeDependency.Driver, "1")]
    [InlineData("cudart64_12.dll", "CUDA", "12")]
    [InlineData("cublasLt64_12.dll", "CUDA", "12")]
    [InlineData("cudnn64_9.dll", "cuDNN", "9")]
    [InlineData("nvinfer_10.dll", "TensorRT", "10")]
    public void Library_names_parse_into_family_and_major(string name, string family, string major)
    {
        NativeDependency d = Assert.IsType<NativeDependency>(NativeDependency.Parse(name));
        Assert.Equal((name, family, major), (d.FileName, d.Family, d.Major));
    }

    [Theory]
    [InlineData("libcudart.so")]
    [InlineData("libstdc++.so.6")]
    [InlineData("libcudnnX.so.9")]
    [InlineData("cudart64_.dll")]
    public void Other_names_are_not_dependencies(string name) => Assert.Null(NativeDependency.Parse(name));

    [Fact]
    public void Elf_imports_are_the_dt_needed_entries_readelf_lists()
    {
        string library = Path.Combine(OrtBuild.NativeFolder()!, "libonnxruntime.so");
        var readelf = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("readelf", ["-d", library]) { RedirectStandardOutput = true })!;
        string text = readelf.StandardOutput.ReadToEnd();
        readelf.WaitForExit();
        string[] expected = [.. System.Text.RegularExpressions.Regex.Matches(text, @"\(NEEDED\)\s+Shared library: \[([^\]]+)\]").Select(m => m.Groups[1].Value)];
        Assert.NotEmpty(expected);
        Assert.Equal(expected, NativeImports.Read(library));
    }

    [Fact]
    public void Pe_imports_of_a_managed_assembly_name_the_clr_loader()
    {
        // Every IL-only PE file imports _CorDllMain from mscoree.dll: a real PE file on any OS.
        Assert.Equal(["mscoree.dll"], NativeImports.Read(typeof(OrtBuild).Assembly.Location));
    }

    [Fact]
    public void A_file_that_is_neither_elf_nor_pe_is_refused_with_its_first_bytes()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ortbuild-{Guid.NewGuid():N}.so");
        try
        {
            File.WriteAllBytes(path, Bytes("GIF89a......"));
            var e = Assert.Throws<InvalidDataException>(() => NativeImports.Read(path));
            Assert.Contains("neither an ELF nor a PE file (first bytes 47494638)", e.Message);
            File.WriteAllBytes(path, [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 0, 0]);
            e = Assert.Throws<InvalidDataException>(() => NativeImports.Read(path));
            Assert.Contains(path, e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Needs_name_each_family_by_its_version_library()
    {
        NativeDependency[] deps = [.. new[] { "libcublasLt.so.13", "libcurand.so.10", "libcudart.so.13", "libcudnn.so.9" }.Select(n => NativeDependency.Parse(n)!)];
        Assert.Equal("CUDA 13 (libcublasLt.so.13, libcurand.so.10, libcudart.so.13) and cuDNN 9 (libcudnn.so.9)", OrtBuild.Needs(deps));
        Assert.Null(OrtBuild.Needs([]));
    }

    [Fact]
    public void Missing_lists_what_the_loader_cannot_find()
    {
        NativeDependency absent = NativeDependency.Parse("libcudart.so.999")!;
        Assert.Equal([absent], OrtBuild.Missing([absent]));
    }

    private static byte[] Bytes(string s) => Encoding.Latin1.GetBytes(s);
}

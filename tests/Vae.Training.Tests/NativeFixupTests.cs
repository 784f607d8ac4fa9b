using Vae.Build;
using Vae.Tests;

namespace Vae.Training.Tests;

public class NativeFixupTests
{
    private const string Version = "GLIBCXX_3.4.32";
    private static readonly string[] Marker = ["_ZSt21ios_base_library_initv"];

    /// <summary>The unmodified library from the NuGet package cache.</summary>
    private static string PristineLibrary()
    {
        string root = RepoPaths.BuildMetadata("NuGetPackageRoot") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"TorchSharp's native library is not in the package cache at {path}.");
        return path;
    }

    private static string CopyToTemp(string path)
    {
        string copy = Path.Combine(RepoPaths.NewTempFolder(), Path.GetFileName(path));
        File.Copy(path, copy);
        return copy;
    }

    [Fact]
    public void Weakens_exactly_one_flag_and_is_idempotent()
    {
        string copy = CopyToTemp(PristineLibrary());
        byte[] before = File.ReadAllBytes(copy);
        Assert.False(ElfVersionNeeds.IsWeak(copy, Version));

        Assert.Equal(WeakenResult.Patched, ElfVersionNeeds.Weaken(copy, Version, Marker));
        Assert.True(ElfVersionNeeds.IsWeak(copy, Version));
        byte[] after = File.ReadAllBytes(copy);
        Assert.Equal(before.Length, after.Length);
        Assert.Equal(1, before.Zip(after).Count(p => p.First != p.Second));

        Assert.Equal(WeakenResult.AlreadyWeak, ElfVersionNeeds.Weaken(copy, Version, Marker));
        Assert.Equal(after, File.ReadAllBytes(copy));
    }

    [Fact]
    public void Refuses_when_another_symbol_uses_the_version()
    {
        string copy = CopyToTemp(PristineLibrary());
        byte[] before = File.ReadAllBytes(copy);
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Weaken(copy, Version, []));
        Assert.Contains("_ZSt21ios_base_library_initv", e.Message);
        Assert.Equal(before, File.ReadAllBytes(copy));
    }

    [Fact]
    public void A_version_the_library_does_not_need_is_left_alone()
    {
        string copy = CopyToTemp(PristineLibrary());
        Assert.Equal(WeakenResult.NotNeeded, ElfVersionNeeds.Weaken(copy, "GLIBCXX_9.9.99", Marker));
    }

    [Fact]
    public void A_non_elf_file_is_rejected_with_its_name()
    {
        string path = Path.Combine(RepoPaths.NewTempFolder(), "fake.so");
        File.WriteAllText(path, "not a library at all, but long enough to hold an ELF header if it were one......");
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Weaken(path, Version, Marker));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Build_output_copy_matches_what_the_system_needs()
    {
        string output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(output), $"expected TorchSharp's native library in the test output at {output}");
        string? libstdcxx = ElfVersionNeeds.FindSystemLibstdcxx();
        bool systemHasVersion = libstdcxx is not null && ElfVersionNeeds.DefinesVersion(libstdcxx, Version);
        // On an older libstdc++ the build step weakened the need; on a newer one it left the library as shipped.
        Assert.Equal(!systemHasVersion, ElfVersionNeeds.IsWeak(output, Version));
        // Either way TorchSharp loads and computes.
        using var x = TorchSharp.torch.ones(2, 3);
        Assert.Equal(6f, x.sum().item<float>());
    }
}

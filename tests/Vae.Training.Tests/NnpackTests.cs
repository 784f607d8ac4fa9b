using System.Runtime.InteropServices;
using TorchSharp;
using Vae.Tests;
using Vae.Training.Models;
using Vae.Training.Native;
using static TorchSharp.torch;

namespace Vae.Training.Tests;

public class NnpackTests
{
    [Fact]
    public void Disable_turns_nnpack_off_for_the_process()
    {
        Assert.True(Nnpack.Disable());   // Linux: libtorch exports the symbols
        Assert.False(Nnpack.Enabled());
        Assert.True(Nnpack.Disable());   // once; later calls change nothing
    }

    /// <summary>The symptom itself: where NNPACK cannot start, libtorch printed "Could not initialize NNPACK! Reason:
    /// Unsupported hardware." on standard error for every small 2-D convolution it did not hand to oneDNN — each conv
    /// layer of a forward pass on one image. A process that called <see cref="Nnpack.Disable"/> prints nothing.</summary>
    [Fact]
    public void A_conv_forward_pass_on_one_image_prints_nothing_on_standard_error_once_nnpack_is_off()
    {
        Nnpack.Disable();
        using var model = new ConvVae(new VaeConfig { Architecture = Models.Architecture.Conv });
        model.eval();
        string printed = CaptureStandardError(Path.Combine(RepoPaths.NewTempFolder(), "stderr.txt"), () =>
        {
            using var noGrad = torch.no_grad();
            using var scope = NewDisposeScope();
            using var generator = new Generator(1);
            var (mean, _) = model.Encode(torch.rand(1, 1, 28, 28, generator: generator));
            model.Decode(mean);
        });
        Assert.DoesNotContain("NNPACK", printed);
    }

    /// <summary>Points file descriptor 2 at <paramref name="path"/> while <paramref name="action"/> runs (native
    /// writers such as libtorch's logging bypass <see cref="Console.Error"/>).</summary>
    private static string CaptureStandardError(string path, Action action)
    {
        using (var file = File.Create(path))
        {
            int saved = Dup(2);
            Assert.True(saved >= 0, "dup(2) failed");
            Assert.True(Dup2((int)file.SafeFileHandle.DangerousGetHandle(), 2) >= 0, "dup2 failed");
            try { action(); }
            finally
            {
                Dup2(saved, 2);
                Close(saved);
            }
        }
        return File.ReadAllText(path);
    }

    [DllImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static extern int Dup(int fd);

    [DllImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static extern int Dup2(int fd, int fd2);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}

using TorchSharp;
using Vae.Training.Data;
using Vae.Training.Models;
using Vae.Training.Native;
using Vae.Training.Training;

namespace Vae.Training.Tests;

/// <summary>
/// The importance-sampled NLL must run in memory bounded independently of the number of test inputs. A tensor left
/// outside a dispose scope never pressures the .NET GC, and freed libtorch memory that the C library keeps is invisible
/// to .NET too (one decoder output per input, 15.7 MB at k = 5000, until the kernel killed the full MNIST evaluation):
/// both are measured directly, the live tensors exactly, resident memory against <see cref="NativeHeap.Allowance"/>.
/// Whether glibc's heap grows at all depends on which threads allocated what, so the resident check can only fail
/// when it does; the live-tensor check fails on every tensor leak.
/// </summary>
public class EvaluationMemoryTests
{
    [Fact]
    public void The_importance_sampled_nll_holds_its_memory_flat_over_the_inputs()
    {
        // one input per batch and 5,000 draws each (the README's k): every batch decodes a [5000, 784] float tensor, 15.7 MB
        const int k = 5000, warmUp = 4, measured = 16;
        const long allowance = 32L << 20;
        torch.random.manual_seed(5);
        using var model = new MlpVae(new VaeConfig { HiddenSizes = [400], LatentSize = 20 });
        float[] pixels = Enumerable.Range(0, (warmUp + measured) * 784).Select(i => (i * 7919 % 256) / 255f).ToArray();
        using var data = TensorSet.From(new Dataset(pixels, [1, 28, 28]), model, "test data");
        long liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var liveAfterInput = new List<long>();
        long rssAtWarmUp = 0, rssPeak = 0;
        long defaultAllowance = NativeHeap.Allowance;
        NativeHeap.Allowance = allowance;
        try
        {
            Evaluation.ImportanceNll(model, data, k, seed: 1, rowsPerChunk: k, onProgress: done =>
            {
                liveAfterInput.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
                if (done == warmUp) rssAtWarmUp = Environment.WorkingSet;
                if (done > warmUp) rssPeak = Math.Max(rssPeak, Environment.WorkingSet);
            });
        }
        finally
        {
            NativeHeap.Allowance = defaultAllowance;
        }

        Assert.Equal(warmUp + measured, liveAfterInput.Count);
        Assert.All(liveAfterInput, live => Assert.Equal(liveBefore, live));   // no tensor survives its batch
        double perInput = 784.0 * k * sizeof(float);
        double growth = rssPeak - rssAtWarmUp;
        Assert.True(growth < allowance + perInput,
                    $"resident memory grew by {growth / 1e6:F0} MB over {measured} inputs; the allowance is {allowance / 1e6:F0} MB and one decoder output {perInput / 1e6:F1} MB");
    }
}

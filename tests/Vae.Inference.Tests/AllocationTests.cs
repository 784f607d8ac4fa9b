namespace Vae.Inference.Tests;

/// <summary>The span path allocates no managed memory per call (measured with the runtime's per-thread allocation counter).</summary>
public class AllocationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(256)]
    public void Span_calls_allocate_zero_bytes_after_warm_up(int batch)
    {
        using var model = ReferenceModel.Load();
        float[] x = new float[batch * 784];
        ReferenceModel.Flat(ReferenceModel.Data.X).AsSpan(0, Math.Min(x.Length, 8 * 784)).CopyTo(x);
        var mean = new float[batch * 8];
        var logvar = new float[batch * 8];
        var output = new float[batch * 784];
        var path = new float[batch * 4 * 784];
        var scores = new AnomalyScore[batch];
        var errors = new float[batch];
        bool[] observed = x.Select((_, i) => i % 2 == 0).ToArray();
        void Calls()
        {
            model.Encode(x, mean, logvar);
            model.Decode(mean, output);
            model.Reconstruct(x, output);
            model.Generate(output, seed: 1);
            model.Interpolate(x, x, 4, path, Interpolation.Spherical);
            model.ScoreAnomalies(x, scores, samples: 3, seed: 1);
            model.ReconstructionError(x, errors);
            model.Denoise(x, output, iterations: 2);
            model.Impute(x, observed, output, iterations: 2);
            VaeModel.SampleLatent(mean, seed: 4);
            VaeModel.SamplePosterior(mean, logvar, mean, seed: 5);
        }
        for (int i = 0; i < 3; i++) Calls();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) Calls();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }
}

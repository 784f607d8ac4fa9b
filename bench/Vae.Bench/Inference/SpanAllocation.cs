using Vae.Inference;

namespace Vae.Bench.Inference;

/// <summary>
/// Managed bytes allocated per call of every span operation, counted by the runtime's per-thread allocation
/// counter: exact, and blind to what other threads allocate (BenchmarkDotNet's MemoryDiagnoser counts the whole
/// process in-process and rounds a per-iteration total down to a per-call figure).
/// </summary>
internal static class SpanAllocation
{
    /// <summary>The largest per-call allocation over Encode, Decode, Reconstruct, Generate, Interpolate, ScoreAnomalies, Denoise, Impute at batch 1 and 256.</summary>
    public static double BytesPerCall(string folder, VaeSessionOptions options)
    {
        using var model = VaeModel.Load(folder, options);
        double worst = 0;
        foreach (int batch in new[] { 1, 256 })
        {
            int d = model.InputSize, l = model.LatentSize;
            var x = new float[batch * d];
            var random = new Random(1);
            for (int i = 0; i < x.Length; i++) x[i] = (float)random.NextDouble();
            var mean = new float[batch * l];
            var logvar = new float[batch * l];
            var output = new float[batch * d];
            var path = new float[batch * 3 * d];
            var scores = new AnomalyScore[batch];
            var observed = new bool[x.Length];
            for (int i = 0; i < observed.Length; i += 2) observed[i] = true;
            Action[] calls =
            [
                () => model.Encode(x, mean, logvar),
                () => model.Decode(mean, output),
                () => model.Reconstruct(x, output),
                () => model.Generate(output, seed: 1),
                () => model.Interpolate(x, x, 3, path, Interpolation.Spherical),
                () => model.ScoreAnomalies(x, scores, samples: 2, seed: 1),
                () => model.Denoise(x, output),
                () => model.Impute(x, observed, output, iterations: 2),
            ];
            foreach (Action call in calls)
            {
                for (int i = 0; i < 3; i++) call();
                const int n = 10;
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < n; i++) call();
                worst = Math.Max(worst, (GC.GetAllocatedBytesForCurrentThread() - before) / (double)n);
            }
        }
        return worst;
    }
}

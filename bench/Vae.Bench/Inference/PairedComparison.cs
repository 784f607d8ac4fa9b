using System.Text.Json.Nodes;

namespace Vae.Bench.Inference;

/// <summary>
/// The headline ratios of <c>out/bench/inference.json</c>. Each contestant exists in <see cref="Copies"/> copies
/// (separate sessions, so separate weight buffers): a single library-vs-raw pair read 1.17 at batch 1 in one process
/// and 1.00 in another (same library and raw code) on the development machine, which we attribute to where each session's
/// buffers land in memory; cycling through the copies averages that out. The raw-vs-raw controls (one raw copy against the
/// next, same code) show how far from 1 this measurement puts two identical contestants.
/// </summary>
internal static class PairedComparison
{
    public const int Copies = 4;

    /// <summary>Adds each ratio (median over rounds) and its quartiles under stable keys.</summary>
    public static void Add(JsonObject json)
    {
        foreach (int batch in new[] { 1, 256 })
        {
            var copies = new List<InferenceBenchmarks>();
            try
            {
                for (int i = 0; i < Copies; i++)
                {
                    var copy = new InferenceBenchmarks { Batch = batch };
                    copy.Setup();
                    copies.Add(copy);
                }
                void Add(string key, Func<InferenceBenchmarks, Action> library, Func<InferenceBenchmarks, Action> other, int shift = 0)
                {
                    var (median, q1, q3) = PairedRatio.Measure(
                        copies.Select(library).ToArray(),
                        copies.Select((_, i) => other(copies[(i + shift) % Copies])).ToArray());
                    json[key] = Round(median);
                    json[key + "_quartiles"] = new JsonArray(Round(q1), Round(q3));
                }
                Add($"encode_b{batch}_vs_raw", b => b.EncodeLibrary, b => b.EncodeRaw);
                Add($"encode_b{batch}_unchecked_vs_raw", b => b.EncodeLibraryUnchecked, b => b.EncodeRaw);
                Add($"decode_b{batch}_vs_raw", b => b.DecodeLibrary, b => b.DecodeRaw);
                Add($"encode_b{batch}_vs_torchsharp", b => b.EncodeLibrary, b => b.EncodeTorchSharp);
                Add($"decode_b{batch}_vs_torchsharp", b => b.DecodeLibrary, b => b.DecodeTorchSharp);
                Add($"control_encode_b{batch}_raw_vs_raw", b => b.EncodeRaw, b => b.EncodeRaw, shift: 1);
                Add($"control_decode_b{batch}_raw_vs_raw", b => b.DecodeRaw, b => b.DecodeRaw, shift: 1);
            }
            finally
            {
                copies.ForEach(c => c.Cleanup());
            }
        }
    }

    private static double Round(double v) => Math.Round(v, 4);
}

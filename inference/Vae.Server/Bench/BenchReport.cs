using System.Text.Json.Serialization;

namespace Vae.Server.Bench;

/// <summary>What <c>vae-serve bench</c> measured; serialised as its <c>--json</c> output (snake_case keys).</summary>
internal sealed record BenchReport
{
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("provider")] public required string Provider { get; init; }
    [JsonPropertyName("provider_requested")] public required string ProviderRequested { get; init; }
    [JsonPropertyName("provider_report")] public required string ProviderReport { get; init; }
    [JsonPropertyName("ort_version")] public required string OrtVersion { get; init; }
    [JsonPropertyName("ort_providers")] public required IReadOnlyList<string> OrtProviders { get; init; }
    [JsonPropertyName("machine")] public required MachineInfo Machine { get; init; }
    [JsonPropertyName("rows")] public required string Rows { get; init; }
    [JsonPropertyName("parity_rows")] public int ParityRows { get; init; }
    [JsonPropertyName("parity_max_abs_diff_vs_cpu")] public double ParityMaxAbsDiffVsCpu { get; init; }
    [JsonPropertyName("parity_mean_max_abs_diff")] public double ParityMean { get; init; }
    [JsonPropertyName("parity_logvar_max_abs_diff")] public double ParityLogvar { get; init; }
    [JsonPropertyName("parity_decoder_max_abs_diff")] public double ParityDecoder { get; init; }
    [JsonPropertyName("encode_b1_us_p50")] public double EncodeB1P50 { get; init; }
    [JsonPropertyName("encode_b1_us_p99")] public double EncodeB1P99 { get; init; }
    [JsonPropertyName("decode_b1_us_p50")] public double DecodeB1P50 { get; init; }
    [JsonPropertyName("decode_b1_us_p99")] public double DecodeB1P99 { get; init; }
    [JsonPropertyName("encode_b256_us_p50")] public double EncodeB256P50 { get; init; }
    [JsonPropertyName("encode_b256_us_p99")] public double EncodeB256P99 { get; init; }
    [JsonPropertyName("decode_b256_us_p50")] public double DecodeB256P50 { get; init; }
    [JsonPropertyName("decode_b256_us_p99")] public double DecodeB256P99 { get; init; }
    [JsonPropertyName("large_batch")] public int LargeBatch { get; init; }
    [JsonPropertyName("encode_rows_per_s_large_batch")] public double EncodeRowsPerSecondLargeBatch { get; init; }
    [JsonPropertyName("decode_rows_per_s_large_batch")] public double DecodeRowsPerSecondLargeBatch { get; init; }
    [JsonPropertyName("score_anomalies_images")] public int AnomalyImages { get; init; }
    [JsonPropertyName("score_anomalies_samples")] public int AnomalySamples { get; init; }
    [JsonPropertyName("score_anomalies_seconds")] public double AnomalySeconds { get; init; }
    [JsonPropertyName("score_anomalies_images_per_s")] public double AnomalyImagesPerSecond { get; init; }
    [JsonPropertyName("calls_per_latency_figure")] public int CallsPerLatencyFigure { get; init; }
    [JsonPropertyName("seconds")] public double Seconds { get; init; }
}

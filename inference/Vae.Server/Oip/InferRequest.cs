namespace Vae.Server.Oip;

/// <summary>An output the client asked for, and whether it wants it as binary data.</summary>
public sealed record RequestedOutput(string Name, bool Binary);

/// <summary>
/// A checked OIP infer request: one array per graph input in the graph's order (rows × sample size values each), the
/// outputs asked for (null: all, as JSON unless <see cref="BinaryOutputs"/>), and the queue deadline it sets.
/// </summary>
public sealed record InferRequest(string? Id, float[][] Inputs, int Rows, IReadOnlyList<RequestedOutput>? Outputs, bool BinaryOutputs, long TimeoutMicroseconds);

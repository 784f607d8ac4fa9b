namespace Vae.Server.Batching;

/// <summary>One caller's share of a graph run: its rows of every output (slices of the run's arrays, in the graph's output order).</summary>
public readonly record struct GraphResult(ArraySegment<float>[] Outputs, int Rows);

namespace Vae.Server.Oip;

// The JSON objects of the Open Inference Protocol v2 (KServe v2 REST), as the OpenAPI document describes them.
// Property names are written in snake_case.

/// <summary>The protocol's error object: every 4xx and 5xx answer of the server has this shape.</summary>
/// <param name="Error">What went wrong: what was expected and what was found.</param>
public sealed record ErrorResponse(string Error);

/// <summary>GET /v2: the server's name, version and protocol extensions.</summary>
public sealed record ServerMetadata(string Name, string Version, string[] Extensions);

/// <summary>One tensor of a model's metadata; -1 marks the batch dimension.</summary>
public sealed record TensorMetadata(string Name, string Datatype, long[] Shape);

/// <summary>GET /v2/models/{name}: the model's versions, platform, inputs and outputs.</summary>
public sealed record ModelMetadata(string Name, string[] Versions, string Platform, TensorMetadata[] Inputs, TensorMetadata[] Outputs);

/// <summary>GET /v2/models/{name}/ready.</summary>
public sealed record ModelReadiness(string Name, bool Ready);

/// <summary>GET /v2/health/live.</summary>
public sealed record Liveness(bool Live);

/// <summary>GET /v2/health/ready when it answers 200.</summary>
public sealed record Readiness(bool Ready);

/// <summary>One entry of POST /v2/repository/index: a served model (READY) or a model folder that did not load (UNAVAILABLE, with the reason).</summary>
public sealed record RepositoryEntry(string Name, string? Version, string State, string? Reason);

/// <summary>One input tensor of an infer request.</summary>
/// <param name="Name">The graph input's name (x for encoders; z, and y for conditional models, for decoders).</param>
/// <param name="Shape">[batch, per-sample dimensions...], e.g. [1, 784].</param>
/// <param name="Datatype">FP32.</param>
/// <param name="Parameters">binary_data_size: the bytes of this tensor after the JSON (binary tensor extension).</param>
/// <param name="Data">Row-major values, flat or nested; absent when the tensor is sent as binary data.</param>
public sealed record InferInputTensor(string Name, long[] Shape, string Datatype, Dictionary<string, long>? Parameters, float[]? Data);

/// <summary>An output asked for; parameters.binary_data true returns it as binary data after the JSON.</summary>
public sealed record InferOutputRequest(string Name, Dictionary<string, bool>? Parameters);

/// <summary>POST /v2/models/{name}/infer. Parameters: timeout (µs a request may wait in the batching queue), binary_data_output (every output as binary data).</summary>
public sealed record InferRequestDocument(string? Id, Dictionary<string, object>? Parameters, InferInputTensor[] Inputs, InferOutputRequest[]? Outputs);

/// <summary>One output tensor of an infer response; parameters.binary_data_size is set instead of data for binary outputs.</summary>
public sealed record InferOutputTensor(string Name, long[] Shape, string Datatype, Dictionary<string, long>? Parameters, float[]? Data);

/// <summary>The answer of POST /v2/models/{name}/infer.</summary>
public sealed record InferResponseDocument(string ModelName, string ModelVersion, string? Id, InferOutputTensor[] Outputs);

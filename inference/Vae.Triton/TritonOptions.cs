namespace Vae.Triton;

/// <summary>Where Triton runs the instances of a model (its instance_group kind).</summary>
public enum InstanceKind
{
    /// <summary>KIND_GPU: on the GPUs (Triton's ONNX Runtime backend uses CUDA).</summary>
    Gpu,
    /// <summary>KIND_CPU: on the CPU.</summary>
    Cpu,
}

/// <summary>How <see cref="TritonRepository.Write"/> configures each model.</summary>
public sealed record TritonOptions
{
    /// <summary>Model name prefix; the repository holds NAME_encoder and NAME_decoder (default: the model folder's name).</summary>
    public string? Name { get; init; }

    /// <summary>max_batch_size: the largest batch Triton forms or accepts (default 64).</summary>
    public int MaxBatchSize { get; init; } = 64;

    /// <summary>Whether the models get a dynamic_batching section (default true).</summary>
    public bool DynamicBatching { get; init; } = true;

    /// <summary>dynamic_batching.max_queue_delay_microseconds (default 100).</summary>
    public long MaxQueueDelayMicroseconds { get; init; } = 100;

    /// <summary>instance_group kind (default GPU).</summary>
    public InstanceKind InstanceKind { get; init; } = InstanceKind.Gpu;

    /// <summary>instance_group count: instances per GPU, or CPU instances (default 1).</summary>
    public int InstanceCount { get; init; } = 1;

    /// <summary>Whether existing NAME_encoder/NAME_decoder folders in the repository are replaced (default false: refused).</summary>
    public bool Overwrite { get; init; }

    /// <summary>Checks the values; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public TritonOptions Validate()
    {
        if (Name is not null && !System.Text.RegularExpressions.Regex.IsMatch(Name, "^[A-Za-z0-9][A-Za-z0-9_.-]*$"))
            throw new ArgumentException($"{nameof(Name)} is '{Name}'; expected letters, digits, '_', '-' and '.', starting with a letter or digit.", nameof(Name));
        if (MaxBatchSize < 1) throw new ArgumentException($"{nameof(MaxBatchSize)} is {MaxBatchSize}; expected 1 or more.", nameof(MaxBatchSize));
        if (MaxQueueDelayMicroseconds < 0) throw new ArgumentException($"{nameof(MaxQueueDelayMicroseconds)} is {MaxQueueDelayMicroseconds}; expected 0 or more.", nameof(MaxQueueDelayMicroseconds));
        if (InstanceCount < 1) throw new ArgumentException($"{nameof(InstanceCount)} is {InstanceCount}; expected 1 or more.", nameof(InstanceCount));
        if (!Enum.IsDefined(InstanceKind)) throw new ArgumentException($"{nameof(InstanceKind)} is {(int)InstanceKind}; expected Gpu or Cpu.", nameof(InstanceKind));
        return this;
    }
}

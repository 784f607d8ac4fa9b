namespace Vae.Inference;

/// <summary>Where ONNX Runtime runs the graphs.</summary>
public enum ExecutionProvider
{
    /// <summary>ONNX Runtime's CPU provider (every build has it).</summary>
    Cpu,
    /// <summary>NVIDIA CUDA (ONNX Runtime GPU build, CUDA 12 and cuDNN 9 on the machine).</summary>
    Cuda,
    /// <summary>DirectML on Windows (ONNX Runtime DirectML build, DirectX 12 GPU).</summary>
    DirectML,
    /// <summary>NVIDIA TensorRT (ONNX Runtime GPU build plus TensorRT libraries); never chosen by <see cref="Auto"/>.</summary>
    TensorRT,
    /// <summary>The first GPU provider present in the loaded ONNX Runtime build that starts (CUDA, then DirectML), else CPU.</summary>
    Auto,
}

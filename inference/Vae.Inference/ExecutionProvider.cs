namespace Vae.Inference;

/// <summary>Where ONNX Runtime runs the graphs.</summary>
public enum ExecutionProvider
{
    /// <summary>ONNX Runtime's CPU provider (every build has it).</summary>
    Cpu,
    /// <summary>NVIDIA CUDA (an ONNX Runtime GPU build, and the CUDA and cuDNN versions it links against on the machine: see <see cref="OrtBuild"/>).</summary>
    Cuda,
    /// <summary>DirectML on Windows (ONNX Runtime DirectML build, DirectX 12 GPU).</summary>
    DirectML,
    /// <summary>NVIDIA TensorRT (ONNX Runtime GPU build plus TensorRT libraries); never chosen by <see cref="Auto"/>.</summary>
    TensorRT,
    /// <summary>The first GPU provider present in the loaded ONNX Runtime build that starts (CUDA, then DirectML), else CPU.</summary>
    Auto,
}

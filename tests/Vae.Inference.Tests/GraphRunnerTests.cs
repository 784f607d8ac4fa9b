using Microsoft.ML.OnnxRuntime;
using Vae.Inference.Native;

namespace Vae.Inference.Tests;

/// <summary>The allocation-free native run path and the managed fallback (used if a binding hides the session handle) give the same bits.</summary>
public class GraphRunnerTests
{
    [Fact]
    public unsafe void Native_and_managed_paths_give_identical_decoder_outputs()
    {
        string path = Path.Combine(ReferenceModel.Folder, VaeModel.DecoderFile);
        using var native = new GraphRunner(new InferenceSession(path), ["z"], ["logits"]);
        using var managed = new GraphRunner(new InferenceSession(path), ["z"], ["logits"], native: false);
        Assert.True(native.IsNative);
        Assert.False(managed.IsNative);
        const int batch = 3;
        float[] z = ReferenceModel.Flat(ReferenceModel.Data.Z)[..(batch * 8)];
        float[] fromNative = new float[batch * 784], fromManaged = new float[batch * 784];
        long* zShape = stackalloc long[] { batch, 8 };
        long* outShape = stackalloc long[] { batch, 784 };
        fixed (float* pz = z, pn = fromNative, pm = fromManaged)
        {
            native.Run([new TensorRef(pz, z.Length, zShape, 2)], [new TensorRef(pn, fromNative.Length, outShape, 2)]);
            managed.Run([new TensorRef(pz, z.Length, zShape, 2)], [new TensorRef(pm, fromManaged.Length, outShape, 2)]);
        }
        Assert.Equal(fromNative, fromManaged);
        Assert.Equal(RawOrt.Run(VaeModel.DecoderFile, "z", z, 8)["logits"], fromNative);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public unsafe void An_onnx_runtime_failure_is_a_typed_inference_error_on_both_paths(bool useNative)
    {
        string path = Path.Combine(ReferenceModel.Folder, VaeModel.DecoderFile);
        using var runner = new GraphRunner(new InferenceSession(path), ["z"], ["logits"], native: useNative);
        float[] z = new float[8], output = new float[784];
        long* zShape = stackalloc long[] { 1, 7 }; // wrong width: ONNX Runtime itself rejects it
        long* outShape = stackalloc long[] { 1, 784 };
        var e = Assert.Throws<VaeInferenceException>(() =>
        {
            fixed (float* pz = z, po = output)
                runner.Run([new TensorRef(pz, 7, zShape, 2)], [new TensorRef(po, 784, outShape, 2)]);
        });
        Assert.Contains("ONNX Runtime", e.Message);
    }
}

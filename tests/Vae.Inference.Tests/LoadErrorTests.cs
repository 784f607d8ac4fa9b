using Vae.Inference;
using Vae.Tests;

namespace Vae.Inference.Tests;

public class LoadErrorTests
{
    [Fact]
    public void Missing_folder_is_a_model_error_naming_the_file()
    {
        string folder = Path.Combine(RepoPaths.NewTempFolder(), "nothing-here");
        var e = Assert.Throws<VaeModelException>(() => VaeModel.Load(folder));
        Assert.Contains("encoder.onnx", e.Message);
        Assert.Contains("not found", e.Message);
    }

    [Fact]
    public void Corrupt_onnx_file_is_a_model_error_not_a_crash()
    {
        string folder = RepoPaths.NewTempFolder();
        File.WriteAllBytes(Path.Combine(folder, "encoder.onnx"), [0x08, 0x07, 0x12, 0xFF, 0x01, 0x02]);
        File.WriteAllBytes(Path.Combine(folder, "decoder.onnx"), [0x08, 0x07]);
        var e = Assert.Throws<VaeModelException>(() => VaeModel.Load(folder));
        Assert.Contains("encoder.onnx", e.Message);
        Assert.Contains("not a loadable ONNX model", e.Message);
    }
}

using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;
using Vae.Inference.Native;
using OrtApi = Vae.Inference.Native.OrtApi;
using Vae.Tests;

namespace Vae.Inference.Tests;

/// <summary>
/// The allocation-free run path calls the C API by slot: each slot must be that function's position in
/// <c>struct OrtApi</c> of the header shipped with the pinned ONNX Runtime package, and the session handle must be
/// reachable on the pinned binding (else the runner silently costs allocations).
/// </summary>
public class OrtApiSlotTests
{
    [Fact]
    public void Every_slot_is_its_functions_position_in_the_shipped_header()
    {
        string[] members = OrtApiMembers();
        Assert.True(members.Length > 300, $"parsed only {members.Length} OrtApi members");
        Assert.Equal(OrtApi.GetErrorMessageSlot, Array.IndexOf(members, "GetErrorMessage"));
        Assert.Equal(OrtApi.RunSlot, Array.IndexOf(members, "Run"));
        Assert.Equal(OrtApi.CreateTensorWithDataSlot, Array.IndexOf(members, "CreateTensorWithDataAsOrtValue"));
        Assert.Equal(OrtApi.CreateCpuMemoryInfoSlot, Array.IndexOf(members, "CreateCpuMemoryInfo"));
        Assert.Equal(OrtApi.ReleaseStatusSlot, Array.IndexOf(members, "ReleaseStatus"));
        Assert.Equal(OrtApi.ReleaseValueSlot, Array.IndexOf(members, "ReleaseValue"));
    }

    [Fact]
    public void The_pinned_binding_exposes_the_session_handle_so_runs_allocate_nothing()
    {
        using var session = new InferenceSession(Path.Combine(ReferenceModel.Folder, VaeModel.DecoderFile));
        Assert.NotEqual(IntPtr.Zero, GraphRunner.NativeHandle(session));
        using VaeModel model = ReferenceModel.Load();
        Assert.True(model.IsAllocationFree);
    }

    /// <summary>The member names of <c>struct OrtApi</c>, in declaration order, from the package's onnxruntime_c_api.h.</summary>
    private static string[] OrtApiMembers()
    {
        string root = RepoPaths.BuildMetadata("NuGetPackageRoot") ?? throw new InvalidOperationException("NuGetPackageRoot was not recorded at build time.");
        string package = Path.Combine(root, "microsoft.ml.onnxruntime", OrtBuild.Version);
        string header = Directory.GetFiles(package, "onnxruntime_c_api.h", SearchOption.AllDirectories).First();
        string text = File.ReadAllText(header);
        text = text[text.IndexOf("struct OrtApi {", StringComparison.Ordinal)..];
        text = Regex.Replace(text, @"/\*.*?\*/", "", RegexOptions.Singleline);
        text = Regex.Replace(text, @"//[^\n]*", "");
        text = text[..text.IndexOf("\n};", StringComparison.Ordinal)];
        Assert.DoesNotContain("#if", text);  // a conditional member would make positions platform-dependent
        return [.. Regex.Matches(text, @"ORT_API2_STATUS\(\s*(\w+)|ORT_CLASS_RELEASE2?\(\s*(\w+)\s*\)|\(\s*ORT_API_CALL\s*\*\s*(\w+)\s*\)|ORT_API_T\(\s*[^,]+,\s*(\w+)")
            .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Success ? "Release" + m.Groups[2].Value : m.Groups[3].Success ? m.Groups[3].Value : m.Groups[4].Value)];
    }
}

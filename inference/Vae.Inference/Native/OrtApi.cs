using System.Runtime.InteropServices;

namespace Vae.Inference.Native;

/// <summary>
/// The few functions of the ONNX Runtime C API that the allocation-free run path needs, taken from the
/// same native library the managed binding loads (<c>OrtGetApiBase</c> → <c>GetApi</c>). Slots are the
/// positions of the members in <c>struct OrtApi</c> (onnxruntime_c_api.h); the C API only ever appends
/// members, so these positions are stable across ONNX Runtime versions. A test (OrtApiSlotTests) counts
/// them again in the header shipped with the pinned ONNX Runtime package.
/// </summary>
internal static unsafe partial class OrtApi
{
    /// <summary>The API version requested: every function used here exists from version 17 on, and a newer runtime serves older versions.</summary>
    private const uint ApiVersion = 17;

    internal const int GetErrorMessageSlot = 2, RunSlot = 9, CreateTensorWithDataSlot = 49, CreateCpuMemoryInfoSlot = 69,
        ReleaseStatusSlot = 93, ReleaseValueSlot = 96;

    private const int FloatElementType = 1; // ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT
    private const int ArenaAllocator = 1, MemTypeDefault = 0;

    private static readonly void** Api = LoadApi();
    private static readonly IntPtr CpuMemoryInfo = CreateCpuMemoryInfo();

    [LibraryImport("onnxruntime")]
    private static partial void** OrtGetApiBase();

    private static void** LoadApi()
    {
        void** apiBase = OrtGetApiBase();
        var getApi = (delegate* unmanaged<uint, void**>)apiBase[0];
        void** api = getApi(ApiVersion);
        return api != null ? api : throw new VaeModelException($"the loaded ONNX Runtime native library does not serve C API version {ApiVersion}.");
    }

    private static IntPtr CreateCpuMemoryInfo()
    {
        IntPtr info;
        Check(((delegate* unmanaged<int, int, IntPtr*, IntPtr>)Api[CreateCpuMemoryInfoSlot])(ArenaAllocator, MemTypeDefault, &info));
        return info; // process-lifetime singleton, like OrtMemoryInfo.DefaultInstance
    }

    /// <summary>Wraps caller memory (not copied) as a float tensor; release it with <see cref="ReleaseValue"/>.</summary>
    public static IntPtr CreateTensor(float* data, nuint count, long* shape, nuint rank)
    {
        IntPtr value;
        Check(((delegate* unmanaged<IntPtr, void*, nuint, long*, nuint, int, IntPtr*, IntPtr>)Api[CreateTensorWithDataSlot])(
            CpuMemoryInfo, data, count * sizeof(float), shape, rank, FloatElementType, &value));
        return value;
    }

    public static void ReleaseValue(IntPtr value)
    {
        if (value != IntPtr.Zero) ((delegate* unmanaged<IntPtr, void>)Api[ReleaseValueSlot])(value);
    }

    /// <summary>OrtApi::Run with caller-provided output values (ONNX Runtime writes into their memory).</summary>
    public static void Run(IntPtr session, byte** inputNames, IntPtr* inputs, nuint inputCount, byte** outputNames, nuint outputCount, IntPtr* outputs) =>
        Check(((delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr*, nuint, byte**, nuint, IntPtr*, IntPtr>)Api[RunSlot])(
            session, IntPtr.Zero, inputNames, inputs, inputCount, outputNames, outputCount, outputs));

    private static void Check(IntPtr status)
    {
        if (status == IntPtr.Zero) return;
        string message = Marshal.PtrToStringUTF8((IntPtr)((delegate* unmanaged<IntPtr, byte*>)Api[GetErrorMessageSlot])(status)) ?? "unknown error";
        ((delegate* unmanaged<IntPtr, void>)Api[ReleaseStatusSlot])(status);
        throw new VaeInferenceException($"ONNX Runtime: {message}");
    }
}

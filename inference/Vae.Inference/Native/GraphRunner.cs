using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.ML.OnnxRuntime;

namespace Vae.Inference.Native;

/// <summary>One float tensor in caller memory: data, element count and shape (all pinned or on the stack by the caller).</summary>
internal unsafe struct TensorRef(float* data, int count, long* shape, int rank)
{
    public float* Data = data;
    public int Count = count;
    public long* Shape = shape;
    public int Rank = rank;
}

/// <summary>
/// Runs one <see cref="InferenceSession"/> on tensors that live in caller memory, without managed allocation:
/// input and output names are UTF-8 strings in native memory made once, and the per-call OrtValues are
/// native handles created over the caller's buffers and released after the run. Safe from many threads
/// (ONNX Runtime's Run is).
/// </summary>
/// <remarks>
/// The native session handle is the binding's internal <c>InferenceSession.Handle</c>, reached through
/// <see cref="UnsafeAccessorAttribute"/> (bound by the JIT, visible to the trimmer, no reflection). The public
/// <c>InferenceSession.Run(RunOptions, names, OrtValue[], names, OrtValue[])</c> runs at the same speed but
/// allocates about 240 bytes of wrappers per call (the raw-ORT comparison of <c>make bench</c>); the handle is what makes
/// <see cref="VaeModel.IsAllocationFree"/> true. If a binding ever drops the member, the accessor throws
/// <see cref="MissingMethodException"/>, the runner uses the public Run instead, and <see cref="IsNative"/>,
/// <see cref="VaeModel.IsAllocationFree"/> and the pinned-version tests (GraphRunnerTests) say so.
/// </remarks>
internal sealed unsafe class GraphRunner : IDisposable
{
    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "get_Handle")]
    private static extern IntPtr SessionHandle(InferenceSession session);

    /// <summary>The session's native OrtSession*, or zero when the binding no longer has the member.</summary>
    internal static IntPtr NativeHandle(InferenceSession session)
    {
        try { return SessionHandle(session); }
        catch (MissingMethodException) { return IntPtr.Zero; }
    }

    private readonly InferenceSession session;
    private readonly bool ownsSession;
    private readonly IntPtr sessionHandle;
    private readonly string[] inputNames, outputNames;
    private readonly byte** nativeInputNames, nativeOutputNames;

    /// <param name="ownsSession">Whether <see cref="Dispose"/> disposes <paramref name="session"/> (false for a second
    /// runner fetching other outputs of a session another runner owns).</param>
    /// <param name="native">false forces the managed fallback (tests compare the two paths).</param>
    public GraphRunner(InferenceSession session, string[] inputNames, string[] outputNames, bool ownsSession = true, bool native = true)
    {
        this.session = session;
        this.ownsSession = ownsSession;
        this.inputNames = inputNames;
        this.outputNames = outputNames;
        sessionHandle = native ? NativeHandle(session) : IntPtr.Zero;
        nativeInputNames = NativeStrings(inputNames);
        nativeOutputNames = NativeStrings(outputNames);
    }

    /// <summary>Whether runs go through the allocation-free native path.</summary>
    public bool IsNative => sessionHandle != IntPtr.Zero;

    /// <summary>The session (owned by this runner unless it was made with ownsSession false).</summary>
    public InferenceSession Session => session;

    /// <summary>Runs the graph: <paramref name="inputs"/> in the order of the input names, outputs likewise.</summary>
    public void Run(ReadOnlySpan<TensorRef> inputs, ReadOnlySpan<TensorRef> outputs)
    {
        if (!IsNative)
        {
            RunManaged(inputs, outputs);
            return;
        }
        IntPtr* inputValues = stackalloc IntPtr[inputs.Length];
        IntPtr* outputValues = stackalloc IntPtr[outputs.Length];
        new Span<IntPtr>(inputValues, inputs.Length).Clear();
        new Span<IntPtr>(outputValues, outputs.Length).Clear();
        try
        {
            for (int i = 0; i < inputs.Length; i++) inputValues[i] = Create(inputs[i]);
            for (int i = 0; i < outputs.Length; i++) outputValues[i] = Create(outputs[i]);
            OrtApi.Run(sessionHandle, nativeInputNames, inputValues, (nuint)inputs.Length, nativeOutputNames, (nuint)outputs.Length, outputValues);
        }
        finally
        {
            for (int i = 0; i < inputs.Length; i++) OrtApi.ReleaseValue(inputValues[i]);
            for (int i = 0; i < outputs.Length; i++) OrtApi.ReleaseValue(outputValues[i]);
        }
    }

    private static IntPtr Create(in TensorRef t) => OrtApi.CreateTensor(t.Data, (nuint)t.Count, t.Shape, (nuint)t.Rank);

    private void RunManaged(ReadOnlySpan<TensorRef> inputs, ReadOnlySpan<TensorRef> outputs)
    {
        var values = new List<OrtValue>();
        try
        {
            foreach (var t in inputs) values.Add(Managed(t));
            foreach (var t in outputs) values.Add(Managed(t));
            using var runOptions = new RunOptions();
            session.Run(runOptions, inputNames, values.Take(inputs.Length).ToArray(), outputNames, values.Skip(inputs.Length).ToArray());
        }
        catch (OnnxRuntimeException e)
        {
            throw new VaeInferenceException($"ONNX Runtime: {e.Message}");
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    private static OrtValue Managed(in TensorRef t) =>
        OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float,
            new ReadOnlySpan<long>(t.Shape, t.Rank).ToArray(), (IntPtr)t.Data, (long)t.Count * sizeof(float));

    private static byte** NativeStrings(string[] names)
    {
        var table = (byte**)NativeMemory.AllocZeroed((nuint)names.Length, (nuint)sizeof(byte*));
        for (int i = 0; i < names.Length; i++)
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(names[i]);
            table[i] = (byte*)NativeMemory.AllocZeroed((nuint)utf8.Length + 1);
            utf8.CopyTo(new Span<byte>(table[i], utf8.Length));
        }
        return table;
    }

    private static void FreeStrings(byte** table, int count)
    {
        for (int i = 0; i < count; i++) NativeMemory.Free(table[i]);
        NativeMemory.Free(table);
    }

    /// <summary>Disposes the session (when owned) and frees the native names; call only when no run is in flight.</summary>
    public void Dispose()
    {
        if (ownsSession) session.Dispose();
        FreeStrings(nativeInputNames, inputNames.Length);
        FreeStrings(nativeOutputNames, outputNames.Length);
    }
}

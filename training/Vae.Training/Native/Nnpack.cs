using System.Runtime.InteropServices;
using TorchSharp;

namespace Vae.Training.Native;

/// <summary>
/// Turns off libtorch's NNPACK convolution backend, as PyTorch's <c>torch.backends.nnpack.set_flags(False)</c> does
/// (TorchSharp has no binding for it). libtorch asks whether NNPACK is available for every 2-D convolution that it
/// does not hand to oneDNN (small inputs such as a single image); where NNPACK cannot initialise, each such call prints
/// <c>Could not initialize NNPACK! Reason: Unsupported hardware.</c> to standard error, and the convolution runs on
/// libtorch's other CPU kernels anyway.
/// </summary>
/// <remarks>The switch is process-wide, so the library never flips it by itself: an application calls
/// <see cref="Disable"/> once where its process starts (the <c>vae</c> CLI does, before any command).</remarks>
public static class Nnpack
{
    private const string Library = "libtorch_cpu";
    private const string GlobalContext = "_ZN2at13globalContextEv";                        // at::globalContext()
    private const string SetEnabled = "_ZN2at7Context20setUserEnabledNNPACKEb";            // Context::setUserEnabledNNPACK(bool)
    private const string IsEnabled = "_ZNK2at7Context17userEnabledNNPACKEv";               // Context::userEnabledNNPACK() const

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nint ContextGetter();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void FlagSetter(nint context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate byte FlagGetter(nint context);

    private static readonly Lazy<bool> Applied = new(DisableOnce);

    /// <summary>Turns NNPACK off for the process (once; later calls do nothing). Returns whether it could: false on
    /// platforms whose libtorch does not export the Itanium-mangled symbols (Windows), where nothing changes.
    /// Call it where the process starts, before training or exporting convolutional models.</summary>
    public static bool Disable() => Applied.Value;

    /// <summary>libtorch's current setting, or null where the symbols cannot be found.</summary>
    public static bool? Enabled()
    {
        if (!TryContext(out var library, out nint context)
            || !NativeLibrary.TryGetExport(library, IsEnabled, out nint getter)) return null;
        return Marshal.GetDelegateForFunctionPointer<FlagGetter>(getter)(context) != 0;
    }

    private static bool DisableOnce()
    {
        if (!TryContext(out var library, out nint context)
            || !NativeLibrary.TryGetExport(library, SetEnabled, out nint setter)) return false;
        Marshal.GetDelegateForFunctionPointer<FlagSetter>(setter)(context, false);
        return true;
    }

    private static bool TryContext(out nint library, out nint context)
    {
        context = 0;
        _ = torch.get_num_threads();   // makes TorchSharp load libtorch from its own folder first
        if (!NativeLibrary.TryLoad(Library, typeof(torch).Assembly, DllImportSearchPath.AssemblyDirectory, out library)
            && !NativeLibrary.TryLoad(Library + ".so", out library)) return false;
        if (!NativeLibrary.TryGetExport(library, GlobalContext, out nint getter)) return false;
        context = Marshal.GetDelegateForFunctionPointer<ContextGetter>(getter)();
        return context != 0;
    }
}

using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Vae.Training.Onnx;

/// <summary>
/// Maps TorchSharp module types to converters that emit ONNX nodes. Adding a layer type is one call to
/// <see cref="Register{TModule}"/>; <see cref="Sequential"/> containers are walked in order. Before a
/// module is converted it is run once in TorchSharp (eval mode, no gradients, batch 2 of zeros) so its
/// converter knows the exact input and output shapes.
/// </summary>
public static class OnnxLayerRegistry
{
    /// <summary>Emits the nodes of one module and returns the name of the value it produces.</summary>
    /// <remarks>A converter that cannot express a setting of the module throws <see cref="LayerContext.Unsupported"/>.</remarks>
    public delegate string Converter<in TModule>(OnnxGraphBuilder graph, TModule module, LayerContext context) where TModule : nn.Module;

    private const int ProbeBatch = 2;
    private static readonly ConcurrentDictionary<Type, Converter<nn.Module>> converters = new();

    static OnnxLayerRegistry() => BuiltInLayers.RegisterAll();

    /// <summary>Registers (or replaces) the converter for modules of exactly type <typeparamref name="TModule"/>.
    /// The module must map one tensor to one tensor (<c>nn.Module&lt;Tensor, Tensor&gt;</c>).</summary>
    public static void Register<TModule>(Converter<TModule> converter) where TModule : nn.Module
    {
        ArgumentNullException.ThrowIfNull(converter);
        if (!typeof(nn.Module<Tensor, Tensor>).IsAssignableFrom(typeof(TModule)))
            throw new ArgumentException($"{typeof(TModule).Name} does not map one tensor to one tensor (nn.Module<Tensor, Tensor>); only such modules can be exported.", nameof(TModule));
        converters[typeof(TModule)] = (graph, module, context) => converter(graph, (TModule)module, context);
    }

    /// <summary>True when modules of <paramref name="moduleType"/> can be exported.</summary>
    public static bool IsSupported(Type moduleType) => moduleType == typeof(Sequential) || converters.ContainsKey(moduleType);

    /// <summary>Module types with a registered converter, for documentation and error messages.</summary>
    public static IReadOnlyCollection<Type> SupportedTypes => [typeof(Sequential), .. converters.Keys.OrderBy(t => t.Name)];

    /// <summary>
    /// Throws <see cref="UnsupportedModuleException"/> for the first module under <paramref name="root"/>
    /// that has no converter, so an export fails before anything is built or written.
    /// </summary>
    public static void EnsureSupported(nn.Module root, string path)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (root is Sequential sequential)
        {
            foreach (var (name, child) in sequential.named_children()) EnsureSupported(child, Join(path, name));
            return;
        }
        if (!converters.ContainsKey(root.GetType())) throw new UnsupportedModuleException(path, root.GetType());
    }

    /// <summary>Emits <paramref name="module"/> (recursively for containers) reading <paramref name="input"/>.</summary>
    /// <param name="outputName">Name the result must have (a graph output), or null for a fresh name.</param>
    /// <returns>The value the module produces, with its per-sample shape.</returns>
    public static OnnxValue Emit(OnnxGraphBuilder graph, nn.Module module, string path, OnnxValue input, string? outputName = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(input);
        if (module is Sequential sequential)
        {
            var children = sequential.named_children().ToList();
            if (children.Count == 0) return new OnnxValue(graph.AddNode("Identity", [input.Name], path, outputName), input.SampleShape);
            OnnxValue value = input;
            for (int i = 0; i < children.Count; i++)
            {
                var (name, child) = children[i];
                value = Emit(graph, child, Join(path, name), value, i == children.Count - 1 ? outputName : null);
            }
            return value;
        }
        if (!converters.TryGetValue(module.GetType(), out var converter))
            throw new UnsupportedModuleException(path, module.GetType());
        int[] outputShape = ProbeOutputShape((nn.Module<Tensor, Tensor>)module, path, input.SampleShape);
        string output = converter(graph, module, new LayerContext(path, input.Name, input.SampleShape, outputShape, outputName));
        // A converter that passes its input through (Dropout) must still produce a requested graph output.
        if (outputName is not null && output != outputName) output = graph.AddNode("Identity", [output], path, outputName);
        return new OnnxValue(output, outputShape);
    }

    /// <summary>Per-sample output shape of <paramref name="module"/> for inputs of <paramref name="sampleShape"/>, measured in TorchSharp.</summary>
    public static int[] ProbeOutputShape(nn.Module<Tensor, Tensor> module, string path, IReadOnlyList<int> sampleShape)
    {
        bool wasTraining = module.training;
        module.eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            Tensor output;
            try
            {
                output = module.forward(zeros([ProbeBatch, .. sampleShape.Select(d => (long)d)]));
            }
            catch (Exception e) when (e is ExternalException or ArgumentException or InvalidOperationException)
            {
                throw new ArgumentException($"{(path.Length == 0 ? "(root)" : path)}: {module.GetType().Name} rejects inputs of shape [batch, {string.Join(", ", sampleShape)}]: {e.Message}", nameof(sampleShape), e);
            }
            if (output.dim() == 0 || output.shape[0] != ProbeBatch)
                throw new UnsupportedModuleException(path, module.GetType(), $"its output [{string.Join(", ", output.shape)}] for a batch of {ProbeBatch} has no leading batch axis.");
            return output.shape.Skip(1).Select(d => checked((int)d)).ToArray();
        }
        finally
        {
            module.train(wasTraining);
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}

using System.Collections.Concurrent;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Vae.Training.Onnx;

/// <summary>Where a module sits and what it reads and writes.</summary>
/// <param name="Path">Dotted path in the module tree, also the prefix of its initializer names (e.g. <c>encoder.0</c>).</param>
/// <param name="Input">Name of the ONNX value the module reads.</param>
/// <param name="OutputName">Name its last node must write (a graph output), or null for a fresh name.</param>
public sealed record LayerContext(string Path, string Input, string? OutputName)
{
    /// <summary>Initializer name for a parameter of this module, e.g. <c>encoder.0.weight</c>.</summary>
    public string Parameter(string name) => Path.Length == 0 ? name : $"{Path}.{name}";
}

/// <summary>
/// Maps TorchSharp module types to converters that emit ONNX nodes. Adding a layer type is one call to
/// <see cref="Register{TModule}"/>; containers (<see cref="Sequential"/>) are walked in order.
/// </summary>
public static class OnnxLayerRegistry
{
    /// <summary>Emits the nodes of one module and returns the name of the value it produces.</summary>
    public delegate string Converter<in TModule>(OnnxGraphBuilder graph, TModule module, LayerContext context) where TModule : nn.Module;

    private static readonly ConcurrentDictionary<Type, Converter<nn.Module>> converters = new();

    static OnnxLayerRegistry() => BuiltInLayers.RegisterAll();

    /// <summary>Registers (or replaces) the converter for modules of exactly type <typeparamref name="TModule"/>.</summary>
    public static void Register<TModule>(Converter<TModule> converter) where TModule : nn.Module
    {
        ArgumentNullException.ThrowIfNull(converter);
        converters[typeof(TModule)] = (graph, module, context) => converter(graph, (TModule)module, context);
    }

    /// <summary>True when modules of <paramref name="moduleType"/> can be exported.</summary>
    public static bool IsSupported(Type moduleType) => moduleType == typeof(Sequential) || converters.ContainsKey(moduleType);

    /// <summary>Module types with a registered converter, for documentation and error messages.</summary>
    public static IReadOnlyCollection<Type> SupportedTypes => [typeof(Sequential), .. converters.Keys];

    /// <summary>
    /// Throws <see cref="UnsupportedModuleException"/> for the first module under <paramref name="root"/>
    /// that cannot be exported, so an export fails before anything is built or written.
    /// </summary>
    public static void EnsureSupported(nn.Module root, string path)
    {
        if (root is Sequential sequential)
        {
            foreach (var (name, child) in sequential.named_children()) EnsureSupported(child, Join(path, name));
            return;
        }
        if (!converters.ContainsKey(root.GetType())) throw new UnsupportedModuleException(path, root.GetType());
    }

    /// <summary>Emits <paramref name="module"/> (recursively for containers) reading <paramref name="input"/>.</summary>
    public static string Emit(OnnxGraphBuilder graph, nn.Module module, string path, string input, string? outputName = null)
    {
        if (module is Sequential sequential)
        {
            var children = sequential.named_children().ToList();
            if (children.Count == 0) return graph.AddNode("Identity", [input], path, outputName);
            string value = input;
            for (int i = 0; i < children.Count; i++)
            {
                var (name, child) = children[i];
                value = Emit(graph, child, Join(path, name), value, i == children.Count - 1 ? outputName : null);
            }
            return value;
        }
        if (!converters.TryGetValue(module.GetType(), out var converter))
            throw new UnsupportedModuleException(path, module.GetType());
        string output = converter(graph, module, new LayerContext(path, input, outputName));
        // A converter that passes its input through (Dropout) must still produce a requested graph output.
        return outputName is not null && output != outputName ? graph.AddNode("Identity", [output], path, outputName) : output;
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}

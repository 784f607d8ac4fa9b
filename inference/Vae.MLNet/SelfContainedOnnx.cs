using System.Globalization;
using Google.Protobuf;
using Vae.Inference;
using Vae.Onnx.Proto;

namespace Vae.MLNet;

/// <summary>
/// An ONNX model file as bytes that need nothing beside them: tensors stored as ONNX external data
/// (<c>data_location = EXTERNAL</c>, a <c>location</c> relative to the model's folder) get their bytes read into
/// <c>raw_data</c>. ML.NET keeps only the model file's bytes in a saved .zip and loads them from a temporary folder,
/// where a relative location would name some other file (or none). A location that leaves the model's folder (an
/// absolute path, "..", or a link to outside) is refused, as ONNX Runtime refuses it.
/// </summary>
internal static class SelfContainedOnnx
{
    /// <summary>The bytes of <paramref name="modelPath"/>, unchanged when it uses no external data.</summary>
    /// <exception cref="VaeModelException">The file is not an ONNX model, or an external location leaves the model's
    /// folder, is missing, or is shorter than the offset and length it gives.</exception>
    public static byte[] Read(string modelPath)
    {
        byte[] bytes = File.ReadAllBytes(modelPath);
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new VaeModelException($"{modelPath}: not an ONNX model ({e.Message}).", e);
        }
        string folder = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        int embedded = 0;
        foreach (TensorProto tensor in Tensors(model))
        {
            if (tensor.DataLocation != TensorProto.Types.DataLocation.External) continue;
            tensor.RawData = ByteString.CopyFrom(ExternalBytes(tensor, folder, modelPath));
            tensor.ExternalData.Clear();
            tensor.DataLocation = TensorProto.Types.DataLocation.Default;
            embedded++;
        }
        return embedded == 0 ? bytes : model.ToByteArray();
    }

    /// <summary>Every tensor the model holds: initializers (dense and sparse) and tensor attributes, in the main graph,
    /// its subgraphs and its functions.</summary>
    private static IEnumerable<TensorProto> Tensors(ModelProto model)
    {
        IEnumerable<TensorProto> tensors = model.Graph is null ? [] : Tensors(model.Graph);
        return tensors.Concat(model.Functions.SelectMany(f => f.Node).SelectMany(Tensors));
    }

    private static IEnumerable<TensorProto> Tensors(GraphProto graph) =>
        graph.Initializer
            .Concat(graph.SparseInitializer.SelectMany(s => new[] { s.Values, s.Indices }.Where(t => t is not null)))
            .Concat(graph.Node.SelectMany(Tensors));

    private static IEnumerable<TensorProto> Tensors(NodeProto node) =>
        node.Attribute.SelectMany(a =>
            (a.T is null ? [] : new[] { a.T })
            .Concat(a.Tensors)
            .Concat((a.G is null ? [] : new[] { a.G }).Concat(a.Graphs).SelectMany(Tensors)));

    private static byte[] ExternalBytes(TensorProto tensor, string folder, string modelPath)
    {
        var entries = tensor.ExternalData.ToDictionary(e => e.Key, e => e.Value);
        string what = $"{modelPath}: tensor '{tensor.Name}' keeps its data outside the model";
        if (!entries.TryGetValue("location", out string? location) || location.Length == 0)
            throw new VaeModelException($"{what} but names no location; expected an external_data entry 'location'.");
        string path = Inside(folder, location, what);
        long offset = Number(entries, "offset", 0, what);
        long fileLength = new FileInfo(path).Length;
        long length = Number(entries, "length", fileLength - offset, what);
        if (offset < 0 || length < 0 || offset > fileLength || length > fileLength - offset)
            throw new VaeModelException($"{what}, bytes {offset} to {offset + length} of {location}, which holds {fileLength} bytes.");
        if (length > int.MaxValue)
            throw new VaeModelException($"{what}: {length:N0} bytes in {location}, more than one model file can hold inside (2 GB).");
        var data = new byte[length];
        using FileStream stream = File.OpenRead(path);
        stream.Position = offset;
        stream.ReadExactly(data);
        return data;
    }

    /// <summary>The real path of <paramref name="location"/> (links resolved) when it lies inside <paramref name="folder"/>.</summary>
    private static string Inside(string folder, string location, string what)
    {
        if (Path.IsPathRooted(location))
            throw new VaeModelException($"{what} at an absolute path, {location}; expected a path inside the model's folder {folder}.");
        string root = RealPath(folder, 0), path = RealPath(Path.Combine(folder, location), 0);
        if (!path.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new VaeModelException($"{what} at {location}, which leaves the model's folder {folder} (it is {path}); expected a path inside it.");
        if (!File.Exists(path))
            throw new VaeModelException($"{what} in {location}, which does not exist in {folder}.");
        return path;
    }

    /// <summary><paramref name="path"/> made absolute with every link on the way resolved (as realpath(3) does).</summary>
    private static string RealPath(string path, int links)
    {
        if (links > 40) throw new VaeModelException($"{path}: too many levels of links.");
        string full = Path.GetFullPath(path);
        string? parent = Path.GetDirectoryName(full);
        if (parent is null) return full;
        string here = Path.Combine(RealPath(parent, links), Path.GetFileName(full));
        FileSystemInfo info = Directory.Exists(here) ? new DirectoryInfo(here) : new FileInfo(here);
        return info.LinkTarget is { } target ? RealPath(Path.GetFullPath(target, Path.GetDirectoryName(here)!), links + 1) : here;
    }

    private static long Number(Dictionary<string, string> entries, string key, long fallback, string what) =>
        !entries.TryGetValue(key, out string? text) ? fallback
        : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value
        : throw new VaeModelException($"{what} with {key} '{text}'; expected a whole number of bytes.");
}

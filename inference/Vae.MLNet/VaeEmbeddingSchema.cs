using Microsoft.ML;
using Microsoft.ML.Data;

namespace Vae.MLNet;

/// <summary>
/// Checks the VAE step's input column and describes its output column, for both schema forms ML.NET uses:
/// <see cref="SchemaShape"/> (estimators, before any data) and <see cref="DataViewSchema"/> (transformers, data views).
/// </summary>
internal static class VaeEmbeddingSchema
{
    private static readonly MLContext ShapeContext = new(seed: 0);

    /// <summary>"known-size vector of Single with 784 values" — what the encoder needs.</summary>
    public static string Expected(int inputSize) => $"a known-size vector of Single with {inputSize} values (Vector<Single, {inputSize}>)";

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="schema"/> has a fitting <paramref name="name"/> column; returns its index.</summary>
    public static int CheckInput(DataViewSchema schema, string name, int inputSize)
    {
        DataViewSchema.Column? column = schema.GetColumnOrNull(name);
        if (column is null) throw Missing(name, inputSize, schema.Where(c => !c.IsHidden).Select(c => c.Name));
        DataViewType type = column.Value.Type;
        if (type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single || vector.Size != inputSize)
            throw Mismatch(name, inputSize, type.ToString() ?? type.RawType.Name);
        return column.Value.Index;
    }

    /// <summary>The estimator's check: name, vector kind and item type. SchemaShape carries no vector sizes, so the size is checked at Fit.</summary>
    public static void CheckInput(SchemaShape shape, string name, int inputSize)
    {
        SchemaShape.Column[] found = shape.Where(c => c.Name == name).ToArray();
        if (found.Length == 0) throw Missing(name, inputSize, shape.Select(c => c.Name));
        SchemaShape.Column column = found[^1];
        if (column.Kind != SchemaShape.Column.VectorKind.Vector || column.ItemType != NumberDataViewType.Single || column.IsKey)
        {
            string kind = column.Kind switch
            {
                SchemaShape.Column.VectorKind.Scalar => $"{column.ItemType}",
                SchemaShape.Column.VectorKind.VariableVector => $"Vector<{column.ItemType}> of variable size",
                _ => $"Vector<{column.ItemType}>",
            };
            throw Mismatch(name, inputSize, column.IsKey ? $"key {kind}" : kind);
        }
    }

    /// <summary>What a conditional model's label column must hold.</summary>
    public static string ExpectedLabel(int classes) =>
        $"a scalar Single, Double, Int32 or Int64 holding the class index 0 to {classes - 1} (not a key: MapKeyToValue turns keys back into values)";

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="schema"/> has a fitting label column <paramref name="name"/>; returns its index.</summary>
    public static int CheckLabel(DataViewSchema schema, string name, int classes)
    {
        DataViewSchema.Column? column = schema.GetColumnOrNull(name);
        if (column is null) throw LabelMissing(name, classes, schema.Where(c => !c.IsHidden).Select(c => c.Name));
        DataViewType type = column.Value.Type;
        if (type is KeyDataViewType || !LabelTypes.Contains(type.RawType))
            throw LabelMismatch(name, classes, $"{(type is KeyDataViewType ? "a key " : "")}{type}");
        return column.Value.Index;
    }

    /// <summary>The estimator's check of the label column: present, scalar, of a label type, not a key.</summary>
    public static void CheckLabel(SchemaShape shape, string name, int classes)
    {
        SchemaShape.Column[] found = shape.Where(c => c.Name == name).ToArray();
        if (found.Length == 0) throw LabelMissing(name, classes, shape.Select(c => c.Name));
        SchemaShape.Column column = found[^1];
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.IsKey || !LabelTypes.Contains(column.ItemType.RawType))
            throw LabelMismatch(name, classes, $"{(column.IsKey ? "a key " : "")}{(column.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : "vector of ")}{column.ItemType}");
    }

    private static readonly Type[] LabelTypes = [typeof(float), typeof(double), typeof(int), typeof(long)];

    /// <summary>The output column's type: a known-size vector of Single.</summary>
    public static VectorDataViewType OutputType(int size) => new(NumberDataViewType.Single, size);

    /// <summary><paramref name="input"/> with the output column added (replacing a column of the same name).</summary>
    public static DataViewSchema AddOutput(DataViewSchema input, string name, int size)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        builder.AddColumn(name, OutputType(size));
        return builder.ToSchema();
    }

    /// <summary><paramref name="input"/> with the output column added (replacing a column of the same name).</summary>
    public static SchemaShape AddOutput(SchemaShape input, string name, int size) =>
        new(input.Where(c => c.Name != name).Append(OutputShape(name, size)));

    /// <summary>
    /// The SchemaShape column of a known-size Single vector. ML.NET keeps SchemaShape.Column's constructor internal;
    /// a CustomMapping estimator with a schema definition is the public way to have ML.NET build one.
    /// </summary>
    private static SchemaShape.Column OutputShape(string name, int size)
    {
        SchemaDefinition definition = SchemaDefinition.Create(typeof(VectorRow));
        definition[0].ColumnName = name;
        definition[0].ColumnType = OutputType(size);
        var estimator = ShapeContext.Transforms.CustomMapping<EmptyRow, VectorRow>((_, _) => { }, contractName: null, outputSchemaDefinition: definition);
        return estimator.GetOutputSchema(new SchemaShape([])).Single(c => c.Name == name);
    }

    private static ArgumentOutOfRangeException Missing(string name, int inputSize, IEnumerable<string> present) =>
        new("inputSchema", $"Input column '{name}' not found; the VAE encoder needs {Expected(inputSize)}. Columns present: {string.Join(", ", present.Distinct())}.");

    private static ArgumentOutOfRangeException LabelMissing(string name, int classes, IEnumerable<string> present) =>
        new("inputSchema", $"Label column '{name}' not found; the conditional VAE encoder needs {ExpectedLabel(classes)}. Columns present: {string.Join(", ", present.Distinct())}.");

    private static ArgumentOutOfRangeException LabelMismatch(string name, int classes, string found) =>
        new("inputSchema", $"Label column '{name}' is {found}; the conditional VAE encoder needs {ExpectedLabel(classes)}.");

    private static ArgumentOutOfRangeException Mismatch(string name, int inputSize, string found) =>
        new("inputSchema", $"Input column '{name}' is {found}; the VAE encoder needs {Expected(inputSize)}.");

    private sealed class EmptyRow { }

    private sealed class VectorRow
    {
        public float[] Value { get; set; } = [];
    }
}

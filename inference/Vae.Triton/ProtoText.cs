using System.Collections;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Vae.Triton;

/// <summary>
/// Writes any protobuf message in the protobuf text format, as C++'s TextFormat prints it and Triton reads config.pbtxt:
/// fields in field-number order, set fields only (proto3 scalars when not their default, messages when present, the
/// set case of a oneof), nested messages as <c>name { ... }</c> indented by two spaces, map entries as
/// <c>name { key: ... value: ... }</c> sorted by key, repeated scalars as <c>name: [ a, b ]</c>, enums by name, strings
/// C-escaped (bytes outside printable ASCII in octal).
/// </summary>
public static class ProtoText
{
    /// <summary>The text of <paramref name="message"/>, one field per line, ending with a newline when not empty.</summary>
    public static string Format(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var text = new StringBuilder();
        WriteFields(message, text, 0);
        return text.ToString();
    }

    private static void WriteFields(IMessage message, StringBuilder text, int depth)
    {
        foreach (FieldDescriptor field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            object value = field.Accessor.GetValue(message);
            if (field.IsMap) WriteMap(field, (IDictionary)value, text, depth);
            else if (field.IsRepeated) WriteRepeated(field, (IList)value, text, depth);
            else if (IsSet(field, message, value)) WriteField(field, value, text, depth);
        }
    }

    private static bool IsSet(FieldDescriptor field, IMessage message, object value)
    {
        if (field.ContainingOneof is not null || field.FieldType is FieldType.Message or FieldType.Group) return field.Accessor.HasValue(message);
        return field.FieldType switch
        {
            FieldType.String => ((string)value).Length > 0,
            FieldType.Bytes => !((ByteString)value).IsEmpty,
            FieldType.Bool => (bool)value,
            FieldType.Enum => Convert.ToInt32(value, CultureInfo.InvariantCulture) != 0,
            FieldType.Double => BitConverter.DoubleToInt64Bits((double)value) != 0,
            FieldType.Float => BitConverter.SingleToInt32Bits((float)value) != 0,
            _ => Convert.ToDecimal(value, CultureInfo.InvariantCulture) != 0,
        };
    }

    private static void WriteField(FieldDescriptor field, object value, StringBuilder text, int depth)
    {
        Indent(text, depth).Append(field.Name);
        if (field.FieldType is FieldType.Message or FieldType.Group)
        {
            text.Append(" {\n");
            WriteFields((IMessage)value, text, depth + 1);
            Indent(text, depth).Append("}\n");
        }
        else text.Append(": ").Append(Scalar(field, value)).Append('\n');
    }

    private static void WriteRepeated(FieldDescriptor field, IList values, StringBuilder text, int depth)
    {
        if (values.Count == 0) return;
        if (field.FieldType is FieldType.Message or FieldType.Group)
        {
            foreach (object value in values) WriteField(field, value, text, depth);
            return;
        }
        Indent(text, depth).Append(field.Name).Append(": [ ")
            .AppendJoin(", ", values.Cast<object>().Select(v => Scalar(field, v))).Append(" ]\n");
    }

    private static void WriteMap(FieldDescriptor field, IDictionary entries, StringBuilder text, int depth)
    {
        FieldDescriptor key = field.MessageType.FindFieldByNumber(1), value = field.MessageType.FindFieldByNumber(2);
        foreach (object entryKey in entries.Keys.Cast<object>().Order(Comparer<object>.Create(CompareKeys)))
        {
            Indent(text, depth).Append(field.Name).Append(" {\n");
            WriteField(key, entryKey, text, depth + 1);
            WriteField(value, entries[entryKey]!, text, depth + 1);
            Indent(text, depth).Append("}\n");
        }
    }

    private static int CompareKeys(object a, object b) => a is string x && b is string y ? string.CompareOrdinal(x, y) : Comparer.DefaultInvariant.Compare(a, b);

    private static string Scalar(FieldDescriptor field, object value) => field.FieldType switch
    {
        FieldType.String => Quote(Encoding.UTF8.GetBytes((string)value)),
        FieldType.Bytes => Quote(((ByteString)value).ToByteArray()),
        FieldType.Bool => (bool)value ? "true" : "false",
        FieldType.Enum => EnumName(field.EnumType, Convert.ToInt32(value, CultureInfo.InvariantCulture)),
        FieldType.Double => Real((double)value),
        FieldType.Float => Real((float)value),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    private static string EnumName(EnumDescriptor type, int number) =>
        type.FindValueByNumber(number)?.Name ?? number.ToString(CultureInfo.InvariantCulture); // an unknown value prints as its number, as C++ does

    private static string Real(double value) =>
        double.IsNaN(value) ? "nan" : double.IsPositiveInfinity(value) ? "inf" : double.IsNegativeInfinity(value) ? "-inf" : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A double-quoted string with C escapes; bytes outside printable ASCII as three octal digits.</summary>
    private static string Quote(byte[] bytes)
    {
        var text = new StringBuilder(bytes.Length + 2).Append('"');
        foreach (byte b in bytes)
        {
            text.Append(b switch
            {
                (byte)'\n' => "\\n",
                (byte)'\r' => "\\r",
                (byte)'\t' => "\\t",
                (byte)'"' => "\\\"",
                (byte)'\'' => "\\'",
                (byte)'\\' => "\\\\",
                >= 0x20 and < 0x7F => ((char)b).ToString(),
                _ => "\\" + Convert.ToString(b, 8).PadLeft(3, '0'),
            });
        }
        return text.Append('"').ToString();
    }

    private static StringBuilder Indent(StringBuilder text, int depth) => text.Append(' ', 2 * depth);
}

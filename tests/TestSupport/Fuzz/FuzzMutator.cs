using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vae.Tests.Fuzz;

/// <summary>
/// Seeded mutations of a valid input, the kinds a damaged disk, an interrupted copy or a careless edit produce:
/// truncation, bit flips, interesting bytes and integers (0, −1, the largest ones), inserted, deleted and repeated
/// ranges, appended garbage; for JSON, values of the wrong type, out of range or missing; for CSV, cells that are not
/// numbers, not finite, huge, quoted or missing, and lines dropped, repeated or broken. Each call returns what it did,
/// so that a failing case can be reproduced from its description and seed.
/// </summary>
internal static class FuzzMutator
{
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x08, 0x0D, 0x1F, 0x8B];
    private static readonly int[] InterestingInts = [0, 1, -1, 2, 255, 256, 65_535, 65_536, 1 << 24, int.MaxValue, int.MinValue, 0x7FFF_FFFE, 1_000_000_000, 624, 625];

    /// <summary>One to three byte-level mutations of <paramref name="input"/>.</summary>
    public static (byte[] Bytes, string What) Bytes(byte[] input, Random random)
    {
        var bytes = new List<byte>(input);
        var what = new List<string>();
        int operations = 1 + random.Next(3);
        for (int i = 0; i < operations; i++) what.Add(MutateBytes(bytes, random));
        return ([.. bytes], string.Join("; ", what));
    }

    private static string MutateBytes(List<byte> bytes, Random random)
    {
        if (bytes.Count == 0) { bytes.Add((byte)random.Next(256)); return "added a byte to nothing"; }
        int at = random.Next(bytes.Count);
        switch (random.Next(10))
        {
            case 0:
                int keep = random.Next(bytes.Count);
                bytes.RemoveRange(keep, bytes.Count - keep);
                return $"truncated to {keep} bytes";
            case 1:
            case 2:
                int bit = random.Next(8);
                bytes[at] ^= (byte)(1 << bit);
                return $"flipped bit {bit} of byte {at}";
            case 3:
                byte value = InterestingBytes[random.Next(InterestingBytes.Length)];
                bytes[at] = value;
                return $"byte {at} = 0x{value:X2}";
            case 4:
                int number = InterestingInts[random.Next(InterestingInts.Length)];
                var four = new byte[4];
                if (random.Next(2) == 0) BinaryPrimitives.WriteInt32BigEndian(four, number); else BinaryPrimitives.WriteInt32LittleEndian(four, number);
                for (int k = 0; k < 4 && at + k < bytes.Count; k++) bytes[at + k] = four[k];
                return $"int {number} written at {at}";
            case 5:
                int length = 1 + random.Next(Math.Min(64, bytes.Count - at));
                bytes.RemoveRange(at, length);
                return $"deleted {length} bytes at {at}";
            case 6:
                int count = 1 + random.Next(Math.Min(64, bytes.Count - at));
                bytes.InsertRange(at, bytes.GetRange(at, count));
                return $"repeated {count} bytes at {at}";
            case 7:
                var noise = new byte[1 + random.Next(32)];
                random.NextBytes(noise);
                bytes.InsertRange(at, noise);
                return $"inserted {noise.Length} random bytes at {at}";
            case 8:
                var tail = new byte[1 + random.Next(256)];
                if (random.Next(2) == 0) random.NextBytes(tail);
                bytes.AddRange(tail);
                return $"appended {tail.Length} bytes";
            default:
                int span = 1 + random.Next(Math.Min(16, bytes.Count - at));
                for (int k = 0; k < span; k++) bytes[at + k] = (byte)random.Next(256);
                return $"randomised {span} bytes at {at}";
        }
    }

    private static readonly Func<Random, JsonNode?>[] OddValues =
    [
        _ => JsonValue.Create("lots"), _ => null, _ => new JsonArray(), _ => new JsonObject(), _ => JsonValue.Create(-1),
        _ => JsonValue.Create(0), _ => JsonValue.Create(1e308), _ => JsonValue.Create(-1e308), _ => JsonValue.Create(2147483648L),
        _ => JsonValue.Create(1.5), _ => JsonValue.Create(true), _ => JsonValue.Create(""), _ => JsonValue.Create("NaN"),
        _ => JsonValue.Create(new string('7', 400)), _ => JsonValue.Create(long.MaxValue), _ => JsonValue.Create(-2147483649L),
        r => JsonValue.Create(r.Next(-3, 1000)), r => new JsonArray(JsonValue.Create(r.Next(-2, 3)), JsonValue.Create(100000), JsonValue.Create(0)),
        _ => JsonValue.Create("AAAA"), _ => JsonValue.Create(1e-320),
    ];

    /// <summary>A JSON document with a value replaced (wrong type, out of range), a property removed or added, or its text
    /// damaged; <paramref name="json"/> must parse.</summary>
    public static (string Text, string What) Json(string json, Random random)
    {
        if (random.Next(5) == 0)
        {
            var (bytes, what) = Bytes(Encoding.UTF8.GetBytes(json), random);
            return (Encoding.UTF8.GetString(bytes), what);
        }
        JsonNode root = JsonNode.Parse(json)!;
        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        JsonNode target = nodes[random.Next(nodes.Count)];
        string path = target.GetPath();
        if (target.Parent is JsonObject parent && random.Next(4) == 0)
        {
            string name = target.GetPropertyName();
            parent.Remove(name);
            return (root.ToJsonString(), $"removed {path}");
        }
        if (target is JsonObject obj && random.Next(4) == 0)
        {
            obj["unexpected_field"] = JsonValue.Create(42);
            return (root.ToJsonString(), $"added {path}.unexpected_field");
        }
        JsonNode? replacement = OddValues[random.Next(OddValues.Length)](random);
        string shown = replacement?.ToJsonString() ?? "null";
        if (shown.Length > 40) shown = shown[..37] + "…";
        if (target.Parent is null) return (replacement?.ToJsonString() ?? "null", $"document replaced by {shown}");
        target.ReplaceWith(replacement);
        return (root.ToJsonString(), $"{path} = {shown}");
    }

    private static void Collect(JsonNode node, List<JsonNode> nodes)
    {
        nodes.Add(node);
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, child) in o) if (child is not null) Collect(child, nodes);
                break;
            case JsonArray a:
                foreach (JsonNode? child in a) if (child is not null) Collect(child, nodes);
                break;
        }
    }

    private static readonly string[] OddCells =
    [
        "", "abc", "NaN", "Infinity", "-Infinity", "1e39", "-1e39", "1e-46", "-0", "2147483647", "2147483648", "-1", "3.7",
        "\"quoted, cell\"", "\"unterminated", "1;2", "1\t2", "0x10", "١", "1e", ".", "+", "65535", "65536", " 1 ", "\"\"\"\"", "\u0000",
    ];

    /// <summary>A CSV text with a cell replaced, a cell or line added or removed, a line repeated or split, or its bytes damaged.</summary>
    public static (string Text, string What) Csv(string csv, Random random)
    {
        if (random.Next(5) == 0)
        {
            var (bytes, what) = Bytes(Encoding.UTF8.GetBytes(csv), random);
            return (Encoding.UTF8.GetString(bytes), what);
        }
        var lines = csv.Split('\n').ToList();
        int line = random.Next(lines.Count);
        string[] cells = lines[line].Split(',');
        int cell = random.Next(cells.Length);
        switch (random.Next(8))
        {
            case 0:
            case 1:
            case 2:
                string odd = OddCells[random.Next(OddCells.Length)];
                cells[cell] = odd;
                lines[line] = string.Join(',', cells);
                return (string.Join('\n', lines), $"line {line + 1}, cell {cell + 1} = '{odd}'");
            case 3:
                lines[line] = string.Join(',', cells.Where((_, i) => i != cell));
                return (string.Join('\n', lines), $"line {line + 1}: cell {cell + 1} removed");
            case 4:
                lines[line] += "," + OddCells[random.Next(OddCells.Length)];
                return (string.Join('\n', lines), $"line {line + 1}: a cell appended");
            case 5:
                lines.RemoveAt(line);
                return (string.Join('\n', lines), $"line {line + 1} removed");
            case 6:
                lines.Insert(line, lines[line]);
                return (string.Join('\n', lines), $"line {line + 1} repeated");
            default:
                int at = random.Next(lines[line].Length + 1);
                string brk = random.Next(2) == 0 ? "\n" : "\r";
                lines[line] = lines[line].Insert(at, brk);
                return (string.Join('\n', lines), $"line {line + 1} broken at {at} by {(brk == "\n" ? "LF" : "CR")}");
        }
    }

    /// <summary>The invariant text of <paramref name="value"/>, as the files write it.</summary>
    public static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

using System.Buffers.Binary;
using Google.Protobuf;
using Vae.Training.Training;

namespace Vae.Tests;

/// <summary>
/// Reads TensorBoard event files back without the writer's code: TFRecords with both CRCs checked by a bitwise
/// CRC-32C of its own, and Event protos decoded field by field (tensorflow/core/util/event.proto, summary.proto).
/// </summary>
internal static class TfEvents
{
    /// <summary>One decoded Event: the scalars of its summary, or the file version of a file's first event.</summary>
    public sealed record Event(double WallTime, long Step, string? FileVersion, IReadOnlyList<(string Tag, float Value)> Scalars);

    /// <summary>The tags and values an epoch with training, validation and test figures must have, written out here
    /// (independently of <c>TensorBoardLog.Scalars</c>), at the float precision of the file.</summary>
    public static (string Tag, float Value)[] Expected(EpochMetrics m) =>
    [
        ("train/loss", (float)m.TrainLoss),
        ("train/neg_elbo", (float)m.Train.NegElbo), ("train/reconstruction", (float)m.Train.Reconstruction), ("train/kl", (float)m.Train.Kl),
        ("val/neg_elbo", (float)m.Validation!.NegElbo), ("val/reconstruction", (float)m.Validation.Reconstruction), ("val/kl", (float)m.Validation.Kl),
        ("test/neg_elbo", (float)m.Test!.NegElbo), ("test/reconstruction", (float)m.Test.Reconstruction), ("test/kl", (float)m.Test.Kl),
        ("active_units", m.ActiveUnits),
        ("lr", (float)m.LearningRate), ("beta", (float)m.Beta), ("seconds", (float)m.Seconds),
    ];

    /// <summary>Every event of the file; fails the test on a torn record, a wrong CRC or an unexpected field.</summary>
    public static IReadOnlyList<Event> Read(string path)
    {
        byte[] bytes;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))   // may be open for writing
        using (var copy = new MemoryStream())
        {
            file.CopyTo(copy);
            bytes = copy.ToArray();
        }
        var events = new List<Event>();
        for (int at = 0; at < bytes.Length;)
        {
            Assert.True(bytes.Length - at >= 12, $"{path}: a record header at byte {at} is cut short");
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at));
            Assert.Equal(Masked(Crc32C(bytes.AsSpan(at, 8))), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8)));
            at += 12;
            Assert.True((ulong)(bytes.Length - at) >= length + 4, $"{path}: the record at byte {at - 12} holds {length} bytes; fewer follow");
            byte[] data = bytes.AsSpan(at, (int)length).ToArray();
            at += (int)length;
            Assert.Equal(Masked(Crc32C(data)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at)));
            at += 4;
            events.Add(Decode(data));
        }
        return events;
    }

    private static Event Decode(byte[] data)
    {
        var input = new CodedInputStream(data);
        double wallTime = 0;
        long step = 0;
        string? version = null;
        var scalars = new List<(string, float)>();
        for (uint tag = input.ReadTag(); tag != 0; tag = input.ReadTag())
        {
            switch (tag)   // field number << 3 | wire type (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32)
            {
                case 1 << 3 | 1: wallTime = input.ReadDouble(); break;
                case 2 << 3 | 0: step = input.ReadInt64(); break;
                case 3 << 3 | 2: version = input.ReadString(); break;
                case 5 << 3 | 2: scalars.AddRange(Summary(input.ReadBytes())); break;
                default: Assert.Fail($"Event field {tag >> 3} with wire type {tag & 7} was not expected"); break;
            }
        }
        return new Event(wallTime, step, version, scalars);
    }

    private static IEnumerable<(string, float)> Summary(ByteString bytes)
    {
        var input = new CodedInputStream(bytes.ToByteArray());
        for (uint tag = input.ReadTag(); tag != 0; tag = input.ReadTag())
        {
            Assert.Equal(1u << 3 | 2, tag);   // repeated Value value = 1
            var value = new CodedInputStream(input.ReadBytes().ToByteArray());
            string? name = null;
            float? simple = null;
            for (uint field = value.ReadTag(); field != 0; field = value.ReadTag())
            {
                if (field == (1 << 3 | 2)) name = value.ReadString();
                else if (field == (2 << 3 | 5)) simple = value.ReadFloat();
                else Assert.Fail($"Summary.Value field {field >> 3} with wire type {field & 7} was not expected");
            }
            Assert.NotNull(name);
            Assert.NotNull(simple);
            yield return (name, simple.Value);
        }
    }

    /// <summary>CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), one bit at a time.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int i = 0; i < 8; i++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>TensorFlow's crc32c::Mask: rotate right by 15 bits, add 0xa282ead8.</summary>
    private static uint Masked(uint crc) => ((crc >> 15) | (crc << 17)) + 0xa282ead8;
}

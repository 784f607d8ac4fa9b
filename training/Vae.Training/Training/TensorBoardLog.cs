using System.Buffers.Binary;
using System.Numerics;
using Google.Protobuf;

namespace Vae.Training.Training;

/// <summary>
/// Writes each epoch's figures (<see cref="EpochMetrics"/>, as <see cref="Trainer.OnEpoch"/> delivers them) into a
/// TensorBoard event file, step = epoch. One instance writes one new <c>events.out.tfevents.*</c> file in its folder;
/// a resumed run gets a second file in the same folder and TensorBoard joins them by step. Every epoch is flushed as it
/// is written, so a running TensorBoard shows it at once and a crash leaves whole records.
/// </summary>
/// <remarks>
/// Tags (<see cref="Scalars"/>): <c>train/loss</c>, <c>train/neg_elbo</c>, <c>train/reconstruction</c>,
/// <c>train/kl</c>; <c>val/…</c> and <c>test/…</c> (<c>neg_elbo</c>, <c>reconstruction</c>, <c>kl</c>) when the run has
/// those sets; <c>active_units</c> when it has either; <c>lr</c>, <c>beta</c>, <c>seconds</c> (of the epoch).
/// The format is TensorFlow's record file of <c>Event</c> protos (tensorflow/core/util/event.proto), written here
/// directly: TorchSharp 0.107's <c>SummaryWriter</c> stamps its first event with <c>DateTime.Now.Ticks</c> where seconds
/// since 1970 belong and takes wall times in whole seconds only.
/// </remarks>
public sealed class TensorBoardLog : IDisposable
{
    /// <summary>Start of every event file's name; TensorBoard reads the files whose names contain "tfevents".</summary>
    public const string FilePrefix = "events.out.tfevents.";

    private static int files;
    private readonly FileStream stream;
    private bool disposed;

    /// <summary>Creates <paramref name="folder"/> when missing and a new event file in it. Dispose the log to close the file.</summary>
    /// <exception cref="ArgumentException">The folder is empty, is a file, or lies under a file.</exception>
    public TensorBoardLog(string folder)
    {
        OutputPath.CheckFolder(folder, "TensorBoard folder");
        Directory.CreateDirectory(folder);
        // TensorFlow's name (seconds, host) plus PyTorch's process id and counter (padded: files of one process sort
        // in the order they were made, as TensorBoard's reader of a growing folder expects)
        FilePath = Path.Combine(folder, $"{FilePrefix}{DateTimeOffset.UtcNow.ToUnixTimeSeconds():D10}.{Environment.MachineName}.{Environment.ProcessId}.{Interlocked.Increment(ref files):D4}");
        stream = new FileStream(FilePath, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        try
        {
            WriteRecord(Event(0, null, "brain.Event:2"));
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The event file this log writes.</summary>
    public string FilePath { get; }

    /// <summary>The tags and values written for one epoch, in file order.</summary>
    public static IReadOnlyList<(string Tag, double Value)> Scalars(EpochMetrics m)
    {
        ArgumentNullException.ThrowIfNull(m);
        var values = new List<(string, double)> { ("train/loss", m.TrainLoss) };
        void Set(string name, SetMetrics? s)
        {
            if (s is null) return;
            values.Add(($"{name}/neg_elbo", s.NegElbo));
            values.Add(($"{name}/reconstruction", s.Reconstruction));
            values.Add(($"{name}/kl", s.Kl));
        }
        Set("train", m.Train);
        Set("val", m.Validation);
        Set("test", m.Test);
        if (m.ActiveUnits >= 0) values.Add(("active_units", m.ActiveUnits));
        values.Add(("lr", m.LearningRate));
        values.Add(("beta", m.Beta));
        values.Add(("seconds", m.Seconds));
        return values;
    }

    /// <summary>Appends one event of step <see cref="EpochMetrics.Epoch"/> holding <see cref="Scalars"/> (as float32) and flushes it.</summary>
    public void Write(EpochMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ObjectDisposedException.ThrowIf(disposed, this);
        WriteRecord(Event(metrics.Epoch, Scalars(metrics), null));
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        stream.Dispose();
    }

    /// <summary>An Event proto: wall_time = 1 (double), step = 2 (int64), file_version = 3 (string) or
    /// summary = 5 (Summary: repeated value = 1, each Value: tag = 1 (string), simple_value = 2 (float)).</summary>
    private static byte[] Event(long step, IReadOnlyList<(string Tag, double Value)>? scalars, string? fileVersion)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            output.WriteTag(1, WireFormat.WireType.Fixed64);
            output.WriteDouble((DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).TotalSeconds);
            if (step != 0)
            {
                output.WriteTag(2, WireFormat.WireType.Varint);
                output.WriteInt64(step);
            }
            if (fileVersion is not null)
            {
                output.WriteTag(3, WireFormat.WireType.LengthDelimited);
                output.WriteString(fileVersion);
            }
            if (scalars is not null)
            {
                static int ValueSize(string tag) => CodedOutputStream.ComputeTagSize(1) + CodedOutputStream.ComputeStringSize(tag) + CodedOutputStream.ComputeTagSize(2) + sizeof(float);
                output.WriteTag(5, WireFormat.WireType.LengthDelimited);
                output.WriteLength(scalars.Sum(s => CodedOutputStream.ComputeTagSize(1) + CodedOutputStream.ComputeLengthSize(ValueSize(s.Tag)) + ValueSize(s.Tag)));
                foreach (var (tag, value) in scalars)
                {
                    output.WriteTag(1, WireFormat.WireType.LengthDelimited);
                    output.WriteLength(ValueSize(tag));
                    output.WriteTag(1, WireFormat.WireType.LengthDelimited);
                    output.WriteString(tag);
                    output.WriteTag(2, WireFormat.WireType.Fixed32);
                    output.WriteFloat((float)value);
                }
            }
        }
        return buffer.ToArray();
    }

    /// <summary>One TFRecord: uint64 length, uint32 masked CRC-32C of the length, the data, uint32 masked CRC-32C of the data (little-endian).</summary>
    private void WriteRecord(ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[12], footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc(header[..8]));
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc(data));
        stream.Write(header);
        stream.Write(data);
        stream.Write(footer);
        stream.Flush();
    }

    /// <summary>CRC-32C (Castagnoli), rotated right by 15 bits plus 0xa282ead8, as TensorFlow's crc32c::Mask.</summary>
    private static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = ~0u;
        foreach (byte b in data) crc = BitOperations.Crc32C(crc, b);
        crc = ~crc;
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }
}

using System.Buffers.Binary;
using System.Text;

namespace Vae.Inference;

/// <summary>
/// The shared libraries a native library is linked against, read from its headers: DT_NEEDED entries of an ELF
/// file (Linux), or the import and delay-import directories of a PE file (Windows). Only headers and the tables
/// they point to are read, so a 300 MB provider library costs a few small reads.
/// </summary>
public static class NativeImports
{
    /// <summary>The library names <paramref name="path"/> imports, in file order.</summary>
    /// <exception cref="InvalidDataException">The file is neither a 64-bit little-endian ELF file nor a PE file, or its tables point outside it.</exception>
    public static IReadOnlyList<string> Read(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        var reader = new Reader(file, path);
        Span<byte> magic = stackalloc byte[4];
        reader.ReadAt(0, magic);
        if (magic.SequenceEqual((ReadOnlySpan<byte>)[0x7F, (byte)'E', (byte)'L', (byte)'F'])) return Elf(reader);
        if (magic[0] == (byte)'M' && magic[1] == (byte)'Z') return Pe(reader);
        throw new InvalidDataException($"{path}: neither an ELF nor a PE file (first bytes {Convert.ToHexString(magic)}).");
    }

    private static List<string> Elf(Reader r)
    {
        Span<byte> header = stackalloc byte[64];
        r.ReadAt(0, header);
        if (header[4] != 2 || header[5] != 1)
            throw new InvalidDataException($"{r.Path}: ELF class {header[4]}, data {header[5]}; expected 2 (64-bit) and 1 (little-endian).");
        long sectionOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(header[0x28..]);
        int sectionSize = BinaryPrimitives.ReadUInt16LittleEndian(header[0x3A..]), sections = BinaryPrimitives.ReadUInt16LittleEndian(header[0x3C..]);
        if (sectionSize < 64) throw new InvalidDataException($"{r.Path}: ELF section header size {sectionSize}; expected 64.");
        var names = new List<string>();
        Span<byte> section = stackalloc byte[64];
        Span<byte> entry = stackalloc byte[16];
        for (int i = 0; i < sections; i++)
        {
            r.ReadAt(sectionOffset + (long)i * sectionSize, section);
            if (BinaryPrimitives.ReadUInt32LittleEndian(section[4..]) != 6) continue;  // SHT_DYNAMIC
            long offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(section[0x18..]), size = (long)BinaryPrimitives.ReadUInt64LittleEndian(section[0x20..]);
            int link = (int)BinaryPrimitives.ReadUInt32LittleEndian(section[0x28..]);
            r.ReadAt(sectionOffset + (long)link * sectionSize, section);
            long strings = (long)BinaryPrimitives.ReadUInt64LittleEndian(section[0x18..]);
            for (long at = offset; at + 16 <= offset + size; at += 16)
            {
                r.ReadAt(at, entry);
                long tag = BinaryPrimitives.ReadInt64LittleEndian(entry);
                if (tag == 0) break;  // DT_NULL
                if (tag == 1) names.Add(r.CString(strings + (long)BinaryPrimitives.ReadUInt64LittleEndian(entry[8..])));  // DT_NEEDED
            }
        }
        return names;
    }

    private static List<string> Pe(Reader r)
    {
        Span<byte> buffer = stackalloc byte[4];
        r.ReadAt(0x3C, buffer);
        long pe = BinaryPrimitives.ReadUInt32LittleEndian(buffer);
        Span<byte> coff = stackalloc byte[24];
        r.ReadAt(pe, coff);
        if (!coff[..4].SequenceEqual("PE\0\0"u8)) throw new InvalidDataException($"{r.Path}: no PE signature at offset {pe}.");
        int sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(coff[6..]), optionalSize = BinaryPrimitives.ReadUInt16LittleEndian(coff[20..]);
        long optional = pe + 24;
        r.ReadAt(optional, buffer[..2]);
        int directories = (int)BinaryPrimitives.ReadUInt16LittleEndian(buffer) switch
        {
            0x10B => 96, 0x20B => 112,  // PE32, PE32+: offset of the data directories
            int m => throw new InvalidDataException($"{r.Path}: PE optional header magic 0x{m:X}; expected 0x10B or 0x20B."),
        };
        var sections = new List<(uint Address, uint Size, uint Raw)>();
        Span<byte> section = stackalloc byte[40];
        for (int i = 0; i < sectionCount; i++)
        {
            r.ReadAt(optional + optionalSize + i * 40L, section);
            sections.Add((BinaryPrimitives.ReadUInt32LittleEndian(section[12..]), Math.Max(BinaryPrimitives.ReadUInt32LittleEndian(section[8..]),
                BinaryPrimitives.ReadUInt32LittleEndian(section[16..])), BinaryPrimitives.ReadUInt32LittleEndian(section[20..])));
        }
        long Offset(uint rva)
        {
            foreach (var s in sections)
                if (rva >= s.Address && rva < s.Address + s.Size) return s.Raw + (rva - s.Address);
            throw new InvalidDataException($"{r.Path}: address 0x{rva:X} is in no section.");
        }
        var names = new List<string>();
        Span<byte> directory = stackalloc byte[8];
        Span<byte> descriptor = stackalloc byte[32];
        foreach ((int index, int entrySize, int nameAt) in new[] { (1, 20, 12), (13, 32, 4) })  // import, delay import
        {
            r.ReadAt(optional + directories + index * 8, directory);
            uint rva = BinaryPrimitives.ReadUInt32LittleEndian(directory);
            if (rva == 0) continue;
            for (long at = Offset(rva); ; at += entrySize)
            {
                r.ReadAt(at, descriptor[..entrySize]);
                uint name = BinaryPrimitives.ReadUInt32LittleEndian(descriptor[nameAt..]);
                if (name == 0) break;
                names.Add(r.CString(Offset(name)));
            }
        }
        return names;
    }

    private sealed class Reader(FileStream file, string path)
    {
        public string Path => path;

        public void ReadAt(long offset, Span<byte> bytes)
        {
            if (offset < 0 || offset + bytes.Length > file.Length)
                throw new InvalidDataException($"{path}: a header points at bytes {offset}–{offset + bytes.Length} of a {file.Length}-byte file.");
            file.Position = offset;
            file.ReadExactly(bytes);
        }

        public string CString(long offset)
        {
            Span<byte> bytes = stackalloc byte[256];
            int length = (int)Math.Min(bytes.Length, file.Length - offset);
            ReadAt(offset, bytes[..length]);
            int end = bytes[..length].IndexOf((byte)0);
            if (end < 0) throw new InvalidDataException($"{path}: a library name at offset {offset} has no end within 256 bytes.");
            return Encoding.ASCII.GetString(bytes[..end]);
        }
    }
}

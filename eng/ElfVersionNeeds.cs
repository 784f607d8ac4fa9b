// Marks one symbol-version need of an ELF shared library as weak (VER_FLG_WEAK), so that the
// dynamic loader accepts the library on a system whose C++ runtime lacks that version.
//
// Why: TorchSharp-cpu 0.107.0's libLibTorchSharp.so was linked against GCC 13's libstdc++ and
// declares a need for GLIBCXX_3.4.32. Debian 12 ships GCC 12's libstdc++ (up to GLIBCXX_3.4.30),
// so the library fails to load. The only symbol bound to that version is
// _ZSt21ios_base_library_initv, a link-time marker that nothing calls. A weak version need lets
// ld.so load the library; every other need stays strict.
//
// This file is compiled twice: by MSBuild's RoslynCodeTaskFactory (eng/NativeFixup.targets), where
// the WeakenVersionNeed task at the bottom is included, and by the test project with
// ELF_PATCH_NO_TASK defined, which tests the pure logic without MSBuild.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Vae.Build
{
    /// <summary>What <see cref="ElfVersionNeeds.Weaken"/> did to a file.</summary>
    public enum WeakenResult
    {
        /// <summary>The need was strict and is now weak; the file was rewritten.</summary>
        Patched,
        /// <summary>The need was already weak; the file was not touched.</summary>
        AlreadyWeak,
        /// <summary>The file does not need that version at all; the file was not touched.</summary>
        NotNeeded,
    }

    /// <summary>Reads and edits the version-needs table (.gnu.version_r) of a 64-bit little-endian ELF file.</summary>
    public static class ElfVersionNeeds
    {
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const uint ShtGnuVersym = 0x6fffffff;
        private const uint ShtDynsym = 11;
        private const ushort VerFlgWeak = 0x2;

        /// <summary>True when the C++ runtime at <paramref name="libstdcxxPath"/> defines <paramref name="version"/>.</summary>
        public static bool DefinesVersion(string libstdcxxPath, string version)
        {
            byte[] bytes = File.ReadAllBytes(libstdcxxPath);
            byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
            // Plain loop: this file also compiles as an MSBuild inline task against netstandard2.0.
            for (int i = 0; i + needle.Length <= bytes.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && bytes[i + j] == needle[j]) j++;
                if (j == needle.Length) return true;
            }
            return false;
        }

        /// <summary>The system's libstdc++.so.6, or null when none is found in the usual places.</summary>
        public static string? FindSystemLibstdcxx()
        {
            string[] candidates =
            {
                "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
                "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
                "/usr/lib64/libstdc++.so.6",
                "/lib64/libstdc++.so.6",
                "/usr/lib/libstdc++.so.6",
            };
            foreach (string path in candidates)
            {
                if (File.Exists(path)) return path;
            }
            return null;
        }

        /// <summary>
        /// Sets VER_FLG_WEAK on the need for <paramref name="version"/> in <paramref name="elfPath"/>,
        /// after checking that the only symbols bound to that version are in <paramref name="allowedSymbols"/>.
        /// The file is rewritten through a temporary file and a rename, so a hard link into a package
        /// cache is never modified and a failure never leaves a half-written library.
        /// </summary>
        /// <exception cref="InvalidDataException">The file is not a 64-bit little-endian ELF file, its tables are
        /// out of bounds, or a symbol outside <paramref name="allowedSymbols"/> uses the version.</exception>
        public static WeakenResult Weaken(string elfPath, string version, ICollection<string> allowedSymbols)
        {
            byte[] elf = File.ReadAllBytes(elfPath);
            var sections = ReadSections(elf, elfPath);
            Section? verneed = Find(sections, ShtGnuVerneed);
            if (verneed is null) return WeakenResult.NotNeeded;
            Section dynstr = sections[(int)verneed.Value.Link];

            (int flagsOffset, ushort index)? entry = FindNeed(elf, elfPath, verneed.Value, dynstr, version);
            if (entry is null) return WeakenResult.NotNeeded;
            int flagsAt = entry.Value.flagsOffset;
            ushort flags = BitConverter.ToUInt16(elf, flagsAt);
            if ((flags & VerFlgWeak) != 0) return WeakenResult.AlreadyWeak;

            foreach (string symbol in SymbolsWithVersion(elf, elfPath, sections, entry.Value.index))
            {
                if (!allowedSymbols.Contains(symbol))
                {
                    throw new InvalidDataException(
                        $"{elfPath}: symbol '{symbol}' is bound to {version}; only [{string.Join(", ", allowedSymbols)}] may be made weak, so the library is left as it is.");
                }
            }

            ushort weak = (ushort)(flags | VerFlgWeak);
            elf[flagsAt] = (byte)(weak & 0xff);
            elf[flagsAt + 1] = (byte)(weak >> 8);
            string temp = elfPath + ".weaken.tmp";
            File.WriteAllBytes(temp, elf);
            File.Replace(temp, elfPath, null);
            return WeakenResult.Patched;
        }

        /// <summary>True when the need for <paramref name="version"/> exists and is weak.</summary>
        public static bool IsWeak(string elfPath, string version)
        {
            byte[] elf = File.ReadAllBytes(elfPath);
            var sections = ReadSections(elf, elfPath);
            Section? verneed = Find(sections, ShtGnuVerneed);
            if (verneed is null) return false;
            var entry = FindNeed(elf, elfPath, verneed.Value, sections[(int)verneed.Value.Link], version);
            return entry is not null && (BitConverter.ToUInt16(elf, entry.Value.flagsOffset) & VerFlgWeak) != 0;
        }

        private readonly struct Section
        {
            public Section(uint type, long offset, long size, uint link, long entrySize)
            {
                Type = type; Offset = offset; Size = size; Link = link; EntrySize = entrySize;
            }
            public uint Type { get; }
            public long Offset { get; }
            public long Size { get; }
            public uint Link { get; }
            public long EntrySize { get; }
        }

        private static List<Section> ReadSections(byte[] elf, string path)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException($"{path}: not an ELF file (bad magic).");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException($"{path}: class {elf[4]}, data {elf[5]}; expected a 64-bit little-endian ELF file (2, 1).");
            long shoff = BitConverter.ToInt64(elf, 0x28);
            int shentsize = BitConverter.ToUInt16(elf, 0x3A);
            int shnum = BitConverter.ToUInt16(elf, 0x3C);
            Check(path, "section header table", shoff, (long)shentsize * shnum, elf.Length);
            var sections = new List<Section>(shnum);
            for (int i = 0; i < shnum; i++)
            {
                int at = checked((int)(shoff + (long)i * shentsize));
                var s = new Section(
                    type: BitConverter.ToUInt32(elf, at + 4),
                    offset: BitConverter.ToInt64(elf, at + 0x18),
                    size: BitConverter.ToInt64(elf, at + 0x20),
                    link: BitConverter.ToUInt32(elf, at + 0x28),
                    entrySize: BitConverter.ToInt64(elf, at + 0x38));
                if (s.Type != 8 /* SHT_NOBITS */) Check(path, $"section {i}", s.Offset, s.Size, elf.Length);
                sections.Add(s);
            }
            return sections;
        }

        private static Section? Find(List<Section> sections, uint type)
        {
            foreach (var s in sections) if (s.Type == type) return s;
            return null;
        }

        // Walks Elf64_Verneed / Elf64_Vernaux records; returns the offset of vna_flags and vna_other.
        private static (int flagsOffset, ushort index)? FindNeed(byte[] elf, string path, Section verneed, Section dynstr, string version)
        {
            long need = verneed.Offset;
            long end = verneed.Offset + verneed.Size;
            while (need + 16 <= end)
            {
                ushort count = BitConverter.ToUInt16(elf, (int)need + 2);
                long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (int i = 0; i < count; i++)
                {
                    Check(path, ".gnu.version_r entry", aux, 16, end);
                    uint name = BitConverter.ToUInt32(elf, (int)aux + 8);
                    if (ReadString(elf, path, dynstr, name) == version)
                        return ((int)aux + 4, BitConverter.ToUInt16(elf, (int)aux + 6));
                    uint nextAux = BitConverter.ToUInt32(elf, (int)aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = BitConverter.ToUInt32(elf, (int)need + 12);
                if (next == 0) break;
                need += next;
            }
            return null;
        }

        private static IEnumerable<string> SymbolsWithVersion(byte[] elf, string path, List<Section> sections, ushort versionIndex)
        {
            Section? dynsym = Find(sections, ShtDynsym);
            Section? versym = Find(sections, ShtGnuVersym);
            if (dynsym is null || versym is null) yield break;
            Section names = sections[(int)dynsym.Value.Link];
            long count = dynsym.Value.Size / Math.Max(24, dynsym.Value.EntrySize);
            for (long i = 0; i < count; i++)
            {
                long versionAt = versym.Value.Offset + i * 2;
                Check(path, ".gnu.version entry", versionAt, 2, versym.Value.Offset + versym.Value.Size);
                if ((BitConverter.ToUInt16(elf, (int)versionAt) & 0x7fff) != versionIndex) continue;
                uint name = BitConverter.ToUInt32(elf, (int)(dynsym.Value.Offset + i * 24));
                yield return ReadString(elf, path, names, name);
            }
        }

        private static string ReadString(byte[] elf, string path, Section table, uint offset)
        {
            long start = table.Offset + offset;
            Check(path, "string table entry", start, 1, table.Offset + table.Size);
            int length = Array.IndexOf(elf, (byte)0, (int)start) - (int)start;
            if (length < 0) throw new InvalidDataException($"{path}: unterminated string at offset {start}.");
            return Encoding.ASCII.GetString(elf, (int)start, length);
        }

        private static void Check(string path, string what, long offset, long size, long limit)
        {
            if (offset < 0 || size < 0 || offset + size > limit)
                throw new InvalidDataException($"{path}: {what} at offset {offset} (size {size}) lies outside the file or table (limit {limit}); the file is truncated or not an ELF shared library.");
        }
    }

#if !ELF_PATCH_NO_TASK
    /// <summary>MSBuild task: weakens the GLIBCXX need of the given libraries when the system libstdc++ lacks it.</summary>
    public class WeakenVersionNeed : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Libraries { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        [Microsoft.Build.Framework.Required]
        public string Version { get; set; } = "";

        [Microsoft.Build.Framework.Required]
        public string AllowedSymbols { get; set; } = "";

        public override bool Execute()
        {
            string? libstdcxx = ElfVersionNeeds.FindSystemLibstdcxx();
            if (libstdcxx is null || ElfVersionNeeds.DefinesVersion(libstdcxx, Version))
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                    $"native fix-up: {libstdcxx ?? "no system libstdc++ found"} needs no change for {Version}.");
                return true;
            }
            var allowed = new HashSet<string>(AllowedSymbols.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries));
            foreach (var item in Libraries)
            {
                try
                {
                    WeakenResult result = ElfVersionNeeds.Weaken(item.ItemSpec, Version, allowed);
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal,
                        $"native fix-up: {item.ItemSpec}: {result} ({libstdcxx} lacks {Version}).");
                }
                catch (Exception e) when (e is InvalidDataException || e is IOException)
                {
                    Log.LogError($"native fix-up failed: {e.Message}");
                }
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}

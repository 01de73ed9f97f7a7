using System.Buffers.Binary;

namespace ActorVisor.Hypervisor.Boot;

/// <summary>
/// A bounds-checked view of the ELF32/ELF64 headers of a little-endian file: program headers and
/// section headers, read on demand. Reads past the end return false rather than throwing.
/// </summary>
internal sealed class ElfFile
{
    public const ushort MachineI386 = 3;
    public const ushort MachineX8664 = 62;
    public const uint PtLoad = 1;
    public const uint PtNote = 4;
    public const uint ShtNote = 7;

    private readonly ReadOnlyMemory<byte> _file;

    private ElfFile(ReadOnlyMemory<byte> file, bool is64)
    {
        _file = file;
        Is64 = is64;
    }

    public bool Is64 { get; }

    public ushort Type { get; private set; }

    public ushort Machine { get; private set; }

    public ulong Entry { get; private set; }

    public ulong ProgramHeaderOffset { get; private set; }

    public ulong SectionHeaderOffset { get; private set; }

    public int ProgramHeaderSize { get; private set; }

    public int ProgramHeaderCount { get; private set; }

    public int SectionHeaderSize { get; private set; }

    public int SectionHeaderCount { get; private set; }

    public int SectionNameTableIndex { get; private set; }

    public ReadOnlySpan<byte> Bytes => _file.Span;

    public static ElfLoadError TryOpen(ReadOnlyMemory<byte> file, out ElfFile? elf)
    {
        elf = null;
        var s = file.Span;
        if (s.Length < 16 || s[0] != 0x7F || s[1] != (byte)'E' || s[2] != (byte)'L' || s[3] != (byte)'F')
        {
            return ElfLoadError.NotElf;
        }

        if ((s[4] != 1 && s[4] != 2) || s[5] != 1)
        {
            return ElfLoadError.UnsupportedFormat;
        }

        bool is64 = s[4] == 2;
        if (s.Length < (is64 ? 64 : 52))
        {
            return ElfLoadError.Truncated;
        }

        var e = new ElfFile(file, is64)
        {
            Type = BinaryPrimitives.ReadUInt16LittleEndian(s[16..]),
            Machine = BinaryPrimitives.ReadUInt16LittleEndian(s[18..]),
        };
        if (is64)
        {
            e.Entry = BinaryPrimitives.ReadUInt64LittleEndian(s[24..]);
            e.ProgramHeaderOffset = BinaryPrimitives.ReadUInt64LittleEndian(s[32..]);
            e.SectionHeaderOffset = BinaryPrimitives.ReadUInt64LittleEndian(s[40..]);
            e.ProgramHeaderSize = BinaryPrimitives.ReadUInt16LittleEndian(s[54..]);
            e.ProgramHeaderCount = BinaryPrimitives.ReadUInt16LittleEndian(s[56..]);
            e.SectionHeaderSize = BinaryPrimitives.ReadUInt16LittleEndian(s[58..]);
            e.SectionHeaderCount = BinaryPrimitives.ReadUInt16LittleEndian(s[60..]);
            e.SectionNameTableIndex = BinaryPrimitives.ReadUInt16LittleEndian(s[62..]);
        }
        else
        {
            e.Entry = BinaryPrimitives.ReadUInt32LittleEndian(s[24..]);
            e.ProgramHeaderOffset = BinaryPrimitives.ReadUInt32LittleEndian(s[28..]);
            e.SectionHeaderOffset = BinaryPrimitives.ReadUInt32LittleEndian(s[32..]);
            e.ProgramHeaderSize = BinaryPrimitives.ReadUInt16LittleEndian(s[42..]);
            e.ProgramHeaderCount = BinaryPrimitives.ReadUInt16LittleEndian(s[44..]);
            e.SectionHeaderSize = BinaryPrimitives.ReadUInt16LittleEndian(s[46..]);
            e.SectionHeaderCount = BinaryPrimitives.ReadUInt16LittleEndian(s[48..]);
            e.SectionNameTableIndex = BinaryPrimitives.ReadUInt16LittleEndian(s[50..]);
        }

        if (e.Type != 2 && e.Type != 3)
        {
            return ElfLoadError.UnsupportedFormat;
        }

        int minPh = is64 ? 56 : 32;
        int minSh = is64 ? 64 : 40;
        if ((e.ProgramHeaderCount > 0 && (e.ProgramHeaderSize < minPh || !InFile(s, e.ProgramHeaderOffset, (ulong)e.ProgramHeaderSize * (ulong)e.ProgramHeaderCount)))
            || (e.SectionHeaderCount > 0 && (e.SectionHeaderSize < minSh || !InFile(s, e.SectionHeaderOffset, (ulong)e.SectionHeaderSize * (ulong)e.SectionHeaderCount))))
        {
            return ElfLoadError.Truncated;
        }

        elf = e;
        return ElfLoadError.None;
    }

    public static bool InFile(ReadOnlySpan<byte> s, ulong offset, ulong length) =>
        offset <= (ulong)s.Length && length <= (ulong)s.Length - offset;

    /// <summary>Reads program header <paramref name="index"/>: type, flags, offset, vaddr, paddr, filesz, memsz.</summary>
    public (uint Type, uint Flags, ulong Offset, ulong VAddr, ulong PAddr, ulong FileSize, ulong MemSize) ProgramHeader(int index)
    {
        var p = Bytes[(int)(ProgramHeaderOffset + ((ulong)index * (ulong)ProgramHeaderSize))..];
        if (Is64)
        {
            return (BinaryPrimitives.ReadUInt32LittleEndian(p), BinaryPrimitives.ReadUInt32LittleEndian(p[4..]),
                BinaryPrimitives.ReadUInt64LittleEndian(p[8..]), BinaryPrimitives.ReadUInt64LittleEndian(p[16..]),
                BinaryPrimitives.ReadUInt64LittleEndian(p[24..]), BinaryPrimitives.ReadUInt64LittleEndian(p[32..]),
                BinaryPrimitives.ReadUInt64LittleEndian(p[40..]));
        }

        return (BinaryPrimitives.ReadUInt32LittleEndian(p), BinaryPrimitives.ReadUInt32LittleEndian(p[24..]),
            BinaryPrimitives.ReadUInt32LittleEndian(p[4..]), BinaryPrimitives.ReadUInt32LittleEndian(p[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(p[12..]), BinaryPrimitives.ReadUInt32LittleEndian(p[16..]),
            BinaryPrimitives.ReadUInt32LittleEndian(p[20..]));
    }

    /// <summary>Reads section header <paramref name="index"/>: name offset, type, file offset, size.</summary>
    public (uint Name, uint Type, ulong Offset, ulong Size) SectionHeader(int index)
    {
        var p = Bytes[(int)(SectionHeaderOffset + ((ulong)index * (ulong)SectionHeaderSize))..];
        if (Is64)
        {
            return (BinaryPrimitives.ReadUInt32LittleEndian(p), BinaryPrimitives.ReadUInt32LittleEndian(p[4..]),
                BinaryPrimitives.ReadUInt64LittleEndian(p[24..]), BinaryPrimitives.ReadUInt64LittleEndian(p[32..]));
        }

        return (BinaryPrimitives.ReadUInt32LittleEndian(p), BinaryPrimitives.ReadUInt32LittleEndian(p[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(p[16..]), BinaryPrimitives.ReadUInt32LittleEndian(p[20..]));
    }

    /// <summary>The name of section <paramref name="index"/>, or null when the string table is unreadable.</summary>
    public string? SectionName(int index)
    {
        if (SectionNameTableIndex <= 0 || SectionNameTableIndex >= SectionHeaderCount)
        {
            return null;
        }

        var table = SectionHeader(SectionNameTableIndex);
        var name = SectionHeader(index).Name;
        if (!InFile(Bytes, table.Offset, table.Size) || name >= table.Size)
        {
            return null;
        }

        var strings = Bytes.Slice((int)(table.Offset + name), (int)(table.Size - name));
        int end = strings.IndexOf((byte)0);
        return System.Text.Encoding.ASCII.GetString(end < 0 ? strings : strings[..end]);
    }
}

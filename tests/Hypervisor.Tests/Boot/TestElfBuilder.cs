using System.Buffers.Binary;
using System.Text;

namespace ActorVisor.Hypervisor.Tests.Boot;

/// <summary>Writes small ELF32/ELF64 files by hand, to feed the loader images it must refuse or accept.</summary>
internal sealed class TestElfBuilder(bool is64, ushort machine)
{
    private readonly List<(uint Type, uint Flags, ulong PAddr, byte[] Data, ulong MemSize)> _segments = [];
    private readonly List<(string Name, uint Type, byte[] Data)> _sections = [];

    public ulong Entry { get; set; }

    public static TestElfBuilder X8664() => new(true, 62);

    public static TestElfBuilder I386() => new(false, 3);

    public TestElfBuilder Load(ulong paddr, int fileSize, ulong memSize)
    {
        _segments.Add((1, 7, paddr, new byte[fileSize], memSize));
        return this;
    }

    public TestElfBuilder NoteSegment(byte[] notes)
    {
        _segments.Add((4, 4, 0, notes, (ulong)notes.Length));
        return this;
    }

    public TestElfBuilder Section(string name, uint type, byte[] data)
    {
        _sections.Add((name, type, data));
        return this;
    }

    /// <summary>The standard note set of a small generic kernel at virtual base 0.</summary>
    public static byte[] StandardNotes(ulong entry, ulong hypercallPage, bool is64, string? pae = null)
    {
        var notes = new List<byte[]>
        {
            StringNote(5, "xen-3.0"),
            StringNote(8, "generic"),
            StringNote(6, "test"),
            NumberNote(1, entry, is64),
            NumberNote(2, hypercallPage, is64),
            NumberNote(3, 0, is64),
        };
        if (pae is not null)
        {
            notes.Add(StringNote(9, pae));
        }

        return [.. notes.SelectMany(n => n)];
    }

    public static byte[] StringNote(uint type, string value) => Note(type, Encoding.ASCII.GetBytes(value + "\0"));

    public static byte[] NumberNote(uint type, ulong value, bool is64)
    {
        var desc = new byte[is64 ? 8 : 4];
        if (is64)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(desc, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(desc, (uint)value);
        }

        return Note(type, desc);
    }

    public static byte[] Note(uint type, byte[] desc)
    {
        var name = "Xen\0"u8.ToArray();
        int descPadded = (desc.Length + 3) & ~3;
        var note = new byte[12 + 4 + descPadded];
        BinaryPrimitives.WriteUInt32LittleEndian(note, 4);
        BinaryPrimitives.WriteUInt32LittleEndian(note.AsSpan(4), (uint)desc.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(note.AsSpan(8), type);
        name.CopyTo(note, 12);
        desc.CopyTo(note, 16);
        return note;
    }

    public byte[] Build()
    {
        int ehSize = is64 ? 64 : 52, phSize = is64 ? 56 : 32, shSize = is64 ? 64 : 40;
        using var data = new MemoryStream();
        long offset = ehSize + (phSize * _segments.Count);
        var segmentOffsets = new List<long>();
        foreach (var s in _segments)
        {
            segmentOffsets.Add(offset);
            offset += s.Data.Length;
        }

        var sectionOffsets = new List<long>();
        foreach (var s in _sections)
        {
            sectionOffsets.Add(offset);
            offset += s.Data.Length;
        }

        var shstrtab = new MemoryStream();
        shstrtab.WriteByte(0);
        var nameOffsets = new List<int>();
        foreach (var s in _sections.Select(s => s.Name).Append(".shstrtab"))
        {
            nameOffsets.Add((int)shstrtab.Length);
            shstrtab.Write(Encoding.ASCII.GetBytes(s + "\0"));
        }

        long shstrOffset = offset;
        offset += shstrtab.Length;
        long shOffset = _sections.Count > 0 ? offset : 0;
        int shCount = _sections.Count > 0 ? _sections.Count + 2 : 0;
        var file = new byte[offset + (shSize * shCount)];
        var f = file.AsSpan();
        "\x7F"u8.CopyTo(f);
        "ELF"u8.CopyTo(f[1..]);
        f[4] = (byte)(is64 ? 2 : 1);
        f[5] = 1;
        f[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(f[16..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(f[18..], machine);
        BinaryPrimitives.WriteUInt32LittleEndian(f[20..], 1);
        if (is64)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(f[24..], Entry);
            BinaryPrimitives.WriteUInt64LittleEndian(f[32..], (ulong)ehSize);
            BinaryPrimitives.WriteUInt64LittleEndian(f[40..], (ulong)shOffset);
            BinaryPrimitives.WriteUInt16LittleEndian(f[52..], (ushort)ehSize);
            BinaryPrimitives.WriteUInt16LittleEndian(f[54..], (ushort)phSize);
            BinaryPrimitives.WriteUInt16LittleEndian(f[56..], (ushort)_segments.Count);
            BinaryPrimitives.WriteUInt16LittleEndian(f[58..], (ushort)shSize);
            BinaryPrimitives.WriteUInt16LittleEndian(f[60..], (ushort)shCount);
            BinaryPrimitives.WriteUInt16LittleEndian(f[62..], (ushort)(shCount == 0 ? 0 : shCount - 1));
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(f[24..], (uint)Entry);
            BinaryPrimitives.WriteUInt32LittleEndian(f[28..], (uint)ehSize);
            BinaryPrimitives.WriteUInt32LittleEndian(f[32..], (uint)shOffset);
            BinaryPrimitives.WriteUInt16LittleEndian(f[40..], (ushort)ehSize);
            BinaryPrimitives.WriteUInt16LittleEndian(f[42..], (ushort)phSize);
            BinaryPrimitives.WriteUInt16LittleEndian(f[44..], (ushort)_segments.Count);
            BinaryPrimitives.WriteUInt16LittleEndian(f[46..], (ushort)shSize);
            BinaryPrimitives.WriteUInt16LittleEndian(f[48..], (ushort)shCount);
            BinaryPrimitives.WriteUInt16LittleEndian(f[50..], (ushort)(shCount == 0 ? 0 : shCount - 1));
        }

        for (int i = 0; i < _segments.Count; i++)
        {
            var s = _segments[i];
            var p = f[(ehSize + (i * phSize))..];
            if (is64)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(p, s.Type);
                BinaryPrimitives.WriteUInt32LittleEndian(p[4..], s.Flags);
                BinaryPrimitives.WriteUInt64LittleEndian(p[8..], (ulong)segmentOffsets[i]);
                BinaryPrimitives.WriteUInt64LittleEndian(p[16..], s.PAddr);
                BinaryPrimitives.WriteUInt64LittleEndian(p[24..], s.PAddr);
                BinaryPrimitives.WriteUInt64LittleEndian(p[32..], (ulong)s.Data.Length);
                BinaryPrimitives.WriteUInt64LittleEndian(p[40..], s.MemSize);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(p, s.Type);
                BinaryPrimitives.WriteUInt32LittleEndian(p[4..], (uint)segmentOffsets[i]);
                BinaryPrimitives.WriteUInt32LittleEndian(p[8..], (uint)s.PAddr);
                BinaryPrimitives.WriteUInt32LittleEndian(p[12..], (uint)s.PAddr);
                BinaryPrimitives.WriteUInt32LittleEndian(p[16..], (uint)s.Data.Length);
                BinaryPrimitives.WriteUInt32LittleEndian(p[20..], (uint)s.MemSize);
                BinaryPrimitives.WriteUInt32LittleEndian(p[24..], s.Flags);
            }

            s.Data.CopyTo(f[(int)segmentOffsets[i]..]);
        }

        for (int i = 0; i < _sections.Count; i++)
        {
            _sections[i].Data.CopyTo(f[(int)sectionOffsets[i]..]);
            WriteSection(f[(int)(shOffset + ((i + 1) * shSize))..], nameOffsets[i], _sections[i].Type, sectionOffsets[i], _sections[i].Data.Length);
        }

        shstrtab.ToArray().CopyTo(f[(int)shstrOffset..]);
        if (shCount > 0)
        {
            WriteSection(f[(int)(shOffset + ((shCount - 1) * shSize))..], nameOffsets[^1], 3, shstrOffset, (int)shstrtab.Length);
        }

        return file;
    }

    private void WriteSection(Span<byte> s, int name, uint type, long offset, int size)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)name);
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], type);
        if (is64)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(s[24..], (ulong)offset);
            BinaryPrimitives.WriteUInt64LittleEndian(s[32..], (ulong)size);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(s[16..], (uint)offset);
            BinaryPrimitives.WriteUInt32LittleEndian(s[20..], (uint)size);
        }
    }
}

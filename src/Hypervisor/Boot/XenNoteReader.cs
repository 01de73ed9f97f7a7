using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Boot;

/// <summary>
/// Finds a kernel's Xen metadata in Xen's search order: notes named "Xen" in PT_NOTE segments
/// (skipping any at file offset 0), else in SHT_NOTE sections, else the legacy __xen_guest string.
/// </summary>
internal static class XenNoteReader
{
    public static ElfLoadError Read(ElfFile elf, out XenGuestInfo info, out string detail)
    {
        detail = "";
        var builder = new InfoBuilder();
        for (int i = 0; i < elf.ProgramHeaderCount; i++)
        {
            var ph = elf.ProgramHeader(i);
            if (ph.Type == ElfFile.PtNote && ph.Offset != 0)
            {
                var error = ReadNotes(elf.Bytes, ph.Offset, ph.FileSize, builder);
                if (error != ElfLoadError.None)
                {
                    info = builder.Build(XenInfoSource.ProgramNotes);
                    detail = $"PT_NOTE segment {i} runs past the end of the file";
                    return error;
                }
            }
        }

        if (builder.Count > 0)
        {
            info = builder.Build(XenInfoSource.ProgramNotes);
            return ElfLoadError.None;
        }

        for (int i = 0; i < elf.SectionHeaderCount; i++)
        {
            var sh = elf.SectionHeader(i);
            if (sh.Type == ElfFile.ShtNote && ReadNotes(elf.Bytes, sh.Offset, sh.Size, builder) != ElfLoadError.None)
            {
                info = builder.Build(XenInfoSource.SectionNotes);
                detail = $"SHT_NOTE section {i} runs past the end of the file";
                return ElfLoadError.Truncated;
            }
        }

        if (builder.Count > 0)
        {
            info = builder.Build(XenInfoSource.SectionNotes);
            return ElfLoadError.None;
        }

        for (int i = 0; i < elf.SectionHeaderCount; i++)
        {
            if (elf.SectionName(i) == "__xen_guest")
            {
                var sh = elf.SectionHeader(i);
                if (!ElfFile.InFile(elf.Bytes, sh.Offset, sh.Size))
                {
                    info = builder.Build(XenInfoSource.LegacyString);
                    detail = "__xen_guest runs past the end of the file";
                    return ElfLoadError.Truncated;
                }

                var text = elf.Bytes.Slice((int)sh.Offset, (int)sh.Size);
                int nul = text.IndexOf((byte)0);
                info = ParseLegacy(Encoding.ASCII.GetString(nul < 0 ? text : text[..nul]));
                return ElfLoadError.None;
            }
        }

        info = builder.Build(XenInfoSource.ProgramNotes);
        detail = "no Xen ELF notes and no __xen_guest section: not a Xen-ELF image";
        return ElfLoadError.NoXenNotes;
    }

    private static ElfLoadError ReadNotes(ReadOnlySpan<byte> file, ulong offset, ulong size, InfoBuilder builder)
    {
        if (!ElfFile.InFile(file, offset, size))
        {
            return ElfLoadError.Truncated;
        }

        var notes = file.Slice((int)offset, (int)size);
        while (notes.Length >= 12)
        {
            uint nameSize = BinaryPrimitives.ReadUInt32LittleEndian(notes);
            uint descSize = BinaryPrimitives.ReadUInt32LittleEndian(notes[4..]);
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(notes[8..]);
            ulong namePadded = ((ulong)nameSize + 3) & ~3ul;
            ulong descPadded = ((ulong)descSize + 3) & ~3ul;
            if (12 + namePadded + descPadded > (ulong)notes.Length)
            {
                return ElfLoadError.Truncated;
            }

            var name = notes.Slice(12, (int)nameSize);
            var desc = notes.Slice(12 + (int)namePadded, (int)descSize);
            if (name.SequenceEqual("Xen\0"u8) || name.SequenceEqual("Xen"u8))
            {
                builder.Add((ElfNoteType)type, desc);
            }

            notes = notes[(12 + (int)namePadded + (int)descPadded)..];
        }

        return ElfLoadError.None;
    }

    private static XenGuestInfo ParseLegacy(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = item.IndexOf('=', StringComparison.Ordinal);
            values[eq < 0 ? item : item[..eq]] = eq < 0 ? "" : item[(eq + 1)..];
        }

        ulong? Number(string key) => values.TryGetValue(key, out var v) && TryParseNumber(v, out var n) ? n : null;
        string? Text(string key) => values.GetValueOrDefault(key);

        var virtBase = Number("VIRT_BASE");
        var page = Number("HYPERCALL_PAGE");
        return new XenGuestInfo
        {
            Source = XenInfoSource.LegacyString,
            Loader = Text("LOADER"),
            GuestOs = Text("GUEST_OS"),
            GuestVersion = Text("GUEST_VER"),
            XenVersion = Text("XEN_VER"),
            PaeMode = Text("PAE"),
            Features = Text("FEATURES"),
            VirtBase = virtBase,
            Entry = Number("VIRT_ENTRY"),
            PaddrOffset = Number("ELF_PADDR_OFFSET"),
            HypercallPage = page is { } p ? (p << PageGeometry.PageShift) + (virtBase ?? 0) : null,
        };
    }

    private static bool TryParseNumber(string text, out ulong value) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value)
            : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private sealed class InfoBuilder
    {
        private readonly List<int> _types = [];
        private readonly Dictionary<ElfNoteType, ulong> _numbers = [];
        private readonly Dictionary<ElfNoteType, string> _strings = [];

        public int Count => _types.Count;

        public void Add(ElfNoteType type, ReadOnlySpan<byte> desc)
        {
            _types.Add((int)type);
            switch (type)
            {
                case ElfNoteType.Entry or ElfNoteType.HypercallPage or ElfNoteType.VirtBase or ElfNoteType.PaddrOffset
                    or ElfNoteType.HvStartLow or ElfNoteType.InitP2m or ElfNoteType.ModStartPfn or ElfNoteType.SupportedFeatures:
                    if (TryNumber(desc, out var n))
                    {
                        _numbers[type] = n;
                    }

                    break;
                case ElfNoteType.XenVersion or ElfNoteType.GuestOs or ElfNoteType.GuestVersion or ElfNoteType.Loader
                    or ElfNoteType.PaeMode or ElfNoteType.Features:
                    int nul = desc.IndexOf((byte)0);
                    _strings[type] = Encoding.ASCII.GetString(nul < 0 ? desc : desc[..nul]);
                    break;
            }
        }

        private static bool TryNumber(ReadOnlySpan<byte> desc, out ulong value)
        {
            value = desc.Length switch
            {
                1 => desc[0],
                2 => BinaryPrimitives.ReadUInt16LittleEndian(desc),
                4 => BinaryPrimitives.ReadUInt32LittleEndian(desc),
                8 => BinaryPrimitives.ReadUInt64LittleEndian(desc),
                _ => 0,
            };
            return desc.Length is 1 or 2 or 4 or 8;
        }

        public XenGuestInfo Build(XenInfoSource source) => new()
        {
            Source = source,
            Entry = _numbers.TryGetValue(ElfNoteType.Entry, out var e) ? e : null,
            HypercallPage = _numbers.TryGetValue(ElfNoteType.HypercallPage, out var h) ? h : null,
            VirtBase = _numbers.TryGetValue(ElfNoteType.VirtBase, out var v) ? v : null,
            PaddrOffset = _numbers.TryGetValue(ElfNoteType.PaddrOffset, out var p) ? p : null,
            HvStartLow = _numbers.TryGetValue(ElfNoteType.HvStartLow, out var hv) ? hv : null,
            InitP2m = _numbers.TryGetValue(ElfNoteType.InitP2m, out var ip) ? ip : null,
            ModStartPfn = _numbers.TryGetValue(ElfNoteType.ModStartPfn, out var m) && m != 0,
            SupportedFeatures = _numbers.TryGetValue(ElfNoteType.SupportedFeatures, out var sf) ? (uint)sf : 0,
            XenVersion = _strings.GetValueOrDefault(ElfNoteType.XenVersion),
            GuestOs = _strings.GetValueOrDefault(ElfNoteType.GuestOs),
            GuestVersion = _strings.GetValueOrDefault(ElfNoteType.GuestVersion),
            Loader = _strings.GetValueOrDefault(ElfNoteType.Loader),
            PaeMode = _strings.GetValueOrDefault(ElfNoteType.PaeMode),
            Features = _strings.GetValueOrDefault(ElfNoteType.Features),
            NoteTypes = [.. _types],
        };
    }
}

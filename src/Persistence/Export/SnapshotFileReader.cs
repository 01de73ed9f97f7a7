using System.Buffers.Binary;
using ActorVisor.Hypervisor.Snapshots;
using ActorVisor.Persistence.Chunks;

namespace ActorVisor.Persistence.Export;

/// <summary>An exported snapshot opened for reading: its header and sections in memory, its pages read from the file on each visit.</summary>
internal sealed record ExportedSnapshot(string SnapshotName, DomainImage Image);

/// <summary>
/// Reads a <see cref="SnapshotFile"/>. Everything wrong with a file (bad magic, another format
/// version, an unknown record kind, a length past its bound, a CRC mismatch, a truncation, pages
/// out of order or past the frames, anything after the end) is a <see cref="SnapshotFormatException"/>
/// naming the file, the byte offset and what was expected there.
/// </summary>
internal static class SnapshotFileReader
{
    public static ExportedSnapshot Open(string path)
    {
        using var stream = File.OpenRead(path);
        var records = new RecordReader(stream, path);
        records.ReadPreamble();
        var (at, payload) = records.Read(RecordKind.Header);
        var h = new FieldReader(payload, $"{path}: header record", at);
        var snapshotName = h.Text("snapshot name", DomainImageLimits.MaxNameBytes);
        var domainName = h.Text("domain name", DomainImageLimits.MaxNameBytes);
        var imageVersion = h.I32("image version");
        var virtualTime = h.I64("virtual time");
        var frames = h.Bounded("frame count", DomainImageLimits.MaxFrames);
        var sectionCount = h.U32("section count");
        if (sectionCount > DomainImageLimits.MaxSections)
        {
            throw h.Fail(h.Position - 4, $"section count {sectionCount} is more than the {DomainImageLimits.MaxSections} allowed");
        }
        h.End();
        var sections = new List<StateSection>((int)sectionCount);
        for (var i = 0; i < sectionCount; i++)
        {
            var (sectionAt, body) = records.Read(RecordKind.Section);
            var s = new FieldReader(body, $"{path}: section record {i}", sectionAt);
            var name = s.Text("section name", DomainImageLimits.MaxNameBytes);
            var version = s.I32("section version");
            sections.Add(new StateSection(name, version, s.Take(s.Remaining, "section payload").ToArray()));
        }
        var image = new DomainImage
        {
            DomainName = domainName,
            Version = imageVersion,
            VirtualTimeNs = virtualTime,
            Sections = sections,
            Memory = new FilePageSource(path, stream.Position, frames),
        };
        return new ExportedSnapshot(snapshotName, image);
    }

    /// <summary>The pages of an exported file, read from <see cref="PagesOffset"/> to the end record on each visit.</summary>
    private sealed class FilePageSource(string path, long pagesOffset, long frameCount) : IPageSource
    {
        public long PagesOffset => pagesOffset;

        public long FrameCount => frameCount;

        public void ForEachPage(PageVisitor visit)
        {
            using var stream = File.OpenRead(path);
            stream.Position = pagesOffset;
            var records = new RecordReader(stream, path);
            using var codec = new PageCodec();
            var page = new byte[DomainImage.PageSize];
            long visited = 0, previous = -1;
            while (true)
            {
                var (at, payload, kind) = records.ReadAny(RecordKind.Pages, RecordKind.End);
                if (kind == RecordKind.End)
                {
                    var e = new FieldReader(payload, $"{path}: end record", at);
                    var count = e.I64("page count");
                    e.End();
                    if (count != visited)
                    {
                        throw e.Fail(0, $"end record counts {count} pages, the file has {visited}: a pages record is missing");
                    }
                    records.ExpectEndOfFile();
                    return;
                }
                var r = new FieldReader(payload, $"{path}: pages record", at);
                var inRecord = r.U16("page count");
                if (inRecord is 0 or > SnapshotFile.PagesPerRecord)
                {
                    throw r.Fail(0, $"holds {inRecord} pages, expected 1..{SnapshotFile.PagesPerRecord}");
                }
                for (var i = 0; i < inRecord; i++)
                {
                    var pfnAt = r.Position;
                    var pfn = r.I64("pfn");
                    if (pfn <= previous || pfn >= frameCount)
                    {
                        throw r.Fail(pfnAt, $"pfn {pfn} follows pfn {previous}; expected increasing pfns below the {frameCount} frames");
                    }
                    previous = pfn;
                    var codecAt = r.Position;
                    var codecByte = r.U8("codec");
                    var length = r.U16("page length");
                    if (length > DomainImage.PageSize)
                    {
                        throw r.Fail(codecAt, $"page of pfn {pfn} claims {length} encoded bytes, more than {DomainImage.PageSize}");
                    }
                    var body = r.Take(length, "page bytes");
                    var encoded = new byte[1 + length];
                    encoded[0] = codecByte;
                    body.CopyTo(encoded.AsSpan(1));
                    codec.Decode(encoded, page, $"{path}, offset {at + codecAt}: page of pfn {pfn}");
                    visit(pfn, page);
                    visited++;
                }
                r.End();
            }
        }
    }

    /// <summary>Reads the framed records of a snapshot file, checking each one's bounds and CRC.</summary>
    private sealed class RecordReader(Stream stream, string path)
    {
        public void ReadPreamble()
        {
            Span<byte> preamble = stackalloc byte[12];
            ReadExactly(preamble, 0, "the magic and format version");
            if (!preamble[..8].SequenceEqual(SnapshotFile.Magic))
            {
                throw Fail(0, $"not an ActorVisor snapshot file: expected the magic \"AVSNAP\\r\\n\", found {Convert.ToHexString(preamble[..8])}");
            }
            var version = BinaryPrimitives.ReadUInt32LittleEndian(preamble[8..]);
            if (version != SnapshotFile.FormatVersion)
            {
                throw Fail(8, $"format version {version} is not one this build reads (it reads version {SnapshotFile.FormatVersion})");
            }
        }

        public (long At, byte[] Payload) Read(RecordKind expected)
        {
            var (at, payload, _) = ReadAny(expected, expected);
            return (at, payload);
        }

        public (long At, byte[] Payload, RecordKind Kind) ReadAny(RecordKind expected, RecordKind alternative)
        {
            var at = stream.Position;
            Span<byte> header = stackalloc byte[SnapshotFile.RecordHeaderBytes];
            ReadExactly(header, at, $"a {Describe(expected, alternative)} record header");
            var kind = (RecordKind)header[0];
            if (kind != expected && kind != alternative)
            {
                throw Fail(at, $"record kind {header[0]}, expected {Describe(expected, alternative)}");
            }
            var length = BinaryPrimitives.ReadUInt32LittleEndian(header[1..]);
            var max = SnapshotFile.MaxPayload(kind);
            if (length > max)
            {
                throw Fail(at + 1, $"{kind} record claims {length} bytes, more than the {max} allowed");
            }
            var payload = new byte[length];
            ReadExactly(payload, at + SnapshotFile.RecordHeaderBytes, $"the {length} bytes of a {kind} record");
            Span<byte> trailer = stackalloc byte[SnapshotFile.RecordTrailerBytes];
            var crcAt = stream.Position;
            ReadExactly(trailer, crcAt, $"the CRC-64 of a {kind} record");
            var stored = BinaryPrimitives.ReadUInt64LittleEndian(trailer);
            var computed = SnapshotFile.Crc(header, payload);
            if (stored != computed)
            {
                throw Fail(crcAt, $"CRC-64 of the {kind} record at offset {at} is 0x{stored:x16}, its bytes give 0x{computed:x16}");
            }
            return (at, payload, kind);
        }

        public void ExpectEndOfFile()
        {
            if (stream.Position != stream.Length)
            {
                throw Fail(stream.Position, $"{stream.Length - stream.Position} bytes after the end record");
            }
        }

        private void ReadExactly(Span<byte> buffer, long at, string what)
        {
            var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (read < buffer.Length)
            {
                throw Fail(at, $"truncated: expected {what} ({buffer.Length} bytes), found {read}");
            }
        }

        private static string Describe(RecordKind a, RecordKind b) => a == b ? a.ToString() : $"{a} or {b}";

        private SnapshotFormatException Fail(long offset, string message) => new($"{path}, offset {offset}: {message}");
    }
}

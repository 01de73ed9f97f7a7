using ActorVisor.Hypervisor.Snapshots;
using ActorVisor.Persistence.Chunks;

namespace ActorVisor.Persistence.Export;

/// <summary>Writes a <see cref="DomainImage"/> as a <see cref="SnapshotFile"/>, streaming its pages.</summary>
internal static class SnapshotFileWriter
{
    public static void Write(Stream stream, string snapshotName, DomainImage image, IProgress<double>? progress, CancellationToken cancel)
    {
        var frames = image.Memory.FrameCount;
        PageMap.CheckFrameCount(frames);
        stream.Write(SnapshotFile.Magic);
        new BinaryWriter(stream).Write(SnapshotFile.FormatVersion);

        var header = new FieldWriter()
            .Text(snapshotName, DomainImageLimits.MaxNameBytes)
            .Text(image.DomainName, DomainImageLimits.MaxNameBytes)
            .I32(image.Version)
            .I64(image.VirtualTimeNs)
            .I64(frames)
            .U32((uint)image.Sections.Count);
        SnapshotFile.WriteRecord(stream, RecordKind.Header, header.ToArray());
        foreach (var section in image.Sections)
        {
            var w = new FieldWriter().Text(section.Name, DomainImageLimits.MaxNameBytes).I32(section.Version).Raw(section.Payload);
            SnapshotFile.WriteRecord(stream, RecordKind.Section, w.ToArray());
        }

        using var codec = new PageCodec();
        var pages = new FieldWriter();
        var inRecord = 0;
        long written = 0, previous = -1;
        void Flush()
        {
            if (inRecord == 0)
            {
                return;
            }
            var body = pages.ToArray();
            var payload = new FieldWriter().U16((ushort)inRecord).Raw(body).ToArray();
            SnapshotFile.WriteRecord(stream, RecordKind.Pages, payload);
            pages.Clear();
            inRecord = 0;
            cancel.ThrowIfCancellationRequested();
            progress?.Report(frames == 0 ? 1.0 : (double)(previous + 1) / frames);
        }
        image.Memory.ForEachPage((pfn, page) =>
        {
            if (!PageMap.Admit(pfn, page, ref previous, frames))
            {
                return;
            }
            var encoded = codec.Encode(page);
            pages.I64(pfn).U8(encoded[0]).U16((ushort)(encoded.Length - 1)).Raw(encoded.AsSpan(1));
            written++;
            if (++inRecord == SnapshotFile.PagesPerRecord)
            {
                Flush();
            }
        });
        Flush();
        SnapshotFile.WriteRecord(stream, RecordKind.End, new FieldWriter().I64(written).ToArray());
        progress?.Report(1.0);
    }
}

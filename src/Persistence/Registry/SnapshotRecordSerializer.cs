using ActorVisor.Hypervisor.Snapshots;
using ActorVisor.Persistence.Chunks;
using Akka.Actor;
using Akka.Serialization;

namespace ActorVisor.Persistence.Registry;

/// <summary>
/// Akka serializer for what the registry persists (bound to <see cref="IRegistryPersisted"/>), so
/// that records do not go through Newtonsoft JSON (where the sections' bytes would become base64).
/// The manifest names the type and its layout version: <c>recorded.1</c>, <c>forgotten.1</c>,
/// <c>state.1</c>; an unknown manifest (a newer build's) is refused by name. Layout of a record:
/// name, domain (u16-prefixed UTF-8), taken-at UTC ticks (i64), image version (i32), virtual time
/// (i64), frames (i64), pages (i64), added bytes (i64), sections (u32 count; name, version,
/// u32-prefixed payload each), map chunks (u32 count; 32-byte SHA-256 each).
/// </summary>
internal sealed class SnapshotRecordSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Our serializer's id in Akka's table (ids below 100 are Akka's).</summary>
    public const int Id = 1414;

    private const string RecordedManifest = "recorded.1";
    private const string ForgottenManifest = "forgotten.1";
    private const string StateManifest = "state.1";

    private const int MaxRecords = 1 << 20;
    private const int MaxMapChunks = (int)(DomainImageLimits.MaxFrames / PageMap.EntriesPerChunk);

    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        SnapshotRecorded => RecordedManifest,
        SnapshotForgotten => ForgottenManifest,
        RegistryState => StateManifest,
        _ => throw new ArgumentException($"{o.GetType()} is not a snapshot registry type", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        var w = new FieldWriter();
        switch (obj)
        {
            case SnapshotRecorded e:
                Write(w, e.Record);
                break;
            case SnapshotForgotten e:
                w.Text(e.Name, DomainImageLimits.MaxNameBytes);
                break;
            case RegistryState s:
                w.U32((uint)s.Records.Count);
                foreach (var record in s.Records)
                {
                    Write(w, record);
                }
                break;
            default:
                throw new ArgumentException($"{obj.GetType()} is not a snapshot registry type", nameof(obj));
        }
        return w.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var r = new FieldReader(bytes, $"snapshot registry event '{manifest}'");
        object result;
        switch (manifest)
        {
            case RecordedManifest:
                result = new SnapshotRecorded(Read(ref r));
                break;
            case ForgottenManifest:
                result = new SnapshotForgotten(r.Text("name", DomainImageLimits.MaxNameBytes));
                break;
            case StateManifest:
                var count = r.U32("record count");
                if (count > MaxRecords)
                {
                    throw r.Fail(0, $"claims {count} records, more than {MaxRecords}");
                }
                var records = new List<SnapshotRecord>();
                for (var i = 0; i < count; i++)
                {
                    records.Add(Read(ref r));
                }
                result = new RegistryState(records);
                break;
            default:
                throw new SnapshotFormatException($"snapshot registry: unknown event manifest '{manifest}' (this build reads {RecordedManifest}, {ForgottenManifest} and {StateManifest})");
        }
        r.End();
        return result;
    }

    internal static void Write(FieldWriter w, SnapshotRecord record)
    {
        w.Text(record.Name, DomainImageLimits.MaxNameBytes)
            .Text(record.DomainName, DomainImageLimits.MaxNameBytes)
            .I64(record.TakenAtUtc.UtcTicks)
            .I32(record.ImageVersion)
            .I64(record.VirtualTimeNs)
            .I64(record.FrameCount)
            .I64(record.PageCount)
            .I64(record.AddedBytes)
            .U32((uint)record.Sections.Count);
        foreach (var section in record.Sections)
        {
            w.Text(section.Name, DomainImageLimits.MaxNameBytes).I32(section.Version).Blob(section.Payload);
        }
        w.U32((uint)record.MapChunks.Count);
        foreach (var address in record.MapChunks)
        {
            w.Raw(Convert.FromHexString(address));
        }
    }

    internal static SnapshotRecord Read(ref FieldReader r)
    {
        var name = r.Text("name", DomainImageLimits.MaxNameBytes);
        var domain = r.Text("domain name", DomainImageLimits.MaxNameBytes);
        var ticks = r.I64("taken-at ticks");
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            throw r.Fail(r.Position - 8, $"taken-at ticks {ticks} are out of range");
        }
        var imageVersion = r.I32("image version");
        var virtualTime = r.I64("virtual time");
        var frames = r.Bounded("frame count", DomainImageLimits.MaxFrames);
        var pages = r.I64("page count");
        if (pages < 0 || pages > frames)
        {
            throw r.Fail(r.Position - 8, $"page count {pages} is outside 0..{frames}");
        }
        var added = r.I64("added bytes");
        var sectionCount = r.U32("section count");
        if (sectionCount > DomainImageLimits.MaxSections)
        {
            throw r.Fail(r.Position - 4, $"claims {sectionCount} sections, more than {DomainImageLimits.MaxSections}");
        }
        var sections = new List<StateSection>((int)sectionCount);
        for (var i = 0; i < sectionCount; i++)
        {
            sections.Add(new StateSection(r.Text("section name", DomainImageLimits.MaxNameBytes), r.I32("section version"), r.Blob("section payload", DomainImageLimits.MaxSectionBytes)));
        }
        var mapCount = r.U32("map chunk count");
        if (mapCount > MaxMapChunks)
        {
            throw r.Fail(r.Position - 4, $"claims {mapCount} page-map chunks, more than {MaxMapChunks}");
        }
        var maps = new List<string>((int)mapCount);
        for (var i = 0; i < mapCount; i++)
        {
            maps.Add(Convert.ToHexStringLower(r.Take(ContentAddress.HexLength / 2, "page-map chunk address")));
        }
        return new SnapshotRecord(name, domain, new DateTimeOffset(ticks, TimeSpan.Zero), imageVersion, virtualTime, frames, pages, added, sections, maps);
    }
}

using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Store;
using static ActorVisor.Hypervisor.Tests.Store.StoreTestKit;

namespace ActorVisor.Hypervisor.Tests.FrontEnds;

/// <summary>
/// A small blkif back-end written from blkif.h for testing the SDK's blkfront, standing in for
/// the real back-end the IOPMs will host: it lays out the XenBus directories as a toolstack does,
/// answers the handshake, and serves read, write and flush requests on the guest's ring from an
/// in-memory disk, reading the ring and the data pages through the guest's grant entries (which
/// must grant them to domain 0, writable where it writes). A request it cannot serve is answered
/// BLKIF_RSP_ERROR, as a back-end must.
/// </summary>
internal sealed class ScriptedBlockBackend
{
    public const string FrontendDir = "/local/domain/1/device/vbd/51712";
    public const string BackendDir = "/local/domain/0/backend/vbd/1/51712";
    private const int SectorBytes = 512;

    private readonly XenStore _store;
    private readonly PvDomain _guest;
    private uint _reqCons;
    private ulong _ringFrame;
    private uint _port;

    public ScriptedBlockBackend(XenStore store, PvDomain guest, int sectors)
    {
        _store = store;
        _guest = guest;
        Disk = new byte[sectors * SectorBytes];
        Mkdir(FrontendDir, [new StorePermission(Guest, StoreAccess.None), new StorePermission(Dom0, StoreAccess.Read)]);
        Mkdir(BackendDir, [new StorePermission(Dom0, StoreAccess.None), new StorePermission(Guest, StoreAccess.Read)]);
        Assert.Equal(StoreError.None, store.WriteString(Dom0, FrontendDir + "/backend", BackendDir));
        Assert.Equal(StoreError.None, store.WriteString(Dom0, FrontendDir + "/backend-id", "0"));
        Assert.Equal(StoreError.None, store.WriteString(Dom0, FrontendDir + "/state", "1"));
        Assert.Equal(StoreError.None, store.WriteString(Dom0, BackendDir + "/state", "2"));
    }

    public byte[] Disk { get; }

    /// <summary>The protocol the front end wrote, once it has.</summary>
    public string? Protocol { get; private set; }

    public int Requests { get; private set; }

    public int Refused { get; private set; }

    private void Mkdir(string path, StorePermission[] permissions)
    {
        Assert.Equal(StoreError.None, _store.Mkdir(Dom0, 0, path));
        Assert.Equal(StoreError.None, _store.SetPermissions(Dom0, 0, path, permissions));
    }

    private string? Read(string path) => _store.Peek(path) is { } bytes ? System.Text.Encoding.ASCII.GetString(bytes) : null;

    /// <summary>Moves the handshake on and serves the ring; the test calls it between the guest's slices. True when it notified the guest.</summary>
    public bool Step()
    {
        if (_ringFrame == 0 && Read(FrontendDir + "/state") == "3" && Read(BackendDir + "/state") == "2")
        {
            Connect();
        }

        return _ringFrame != 0 && Serve();
    }

    private void Connect()
    {
        uint ringRef = uint.Parse(Read(FrontendDir + "/ring-ref")!, System.Globalization.CultureInfo.InvariantCulture);
        _port = uint.Parse(Read(FrontendDir + "/event-channel")!, System.Globalization.CultureInfo.InvariantCulture);
        Protocol = Read(FrontendDir + "/protocol");
        _ringFrame = GrantedFrame(ringRef, write: true) ?? throw new InvalidOperationException($"ring-ref {ringRef} is not granted to dom0");
        _store.WriteString(Dom0, BackendDir + "/sectors", (Disk.Length / SectorBytes).ToString(System.Globalization.CultureInfo.InvariantCulture));
        _store.WriteString(Dom0, BackendDir + "/sector-size", "512");
        _store.WriteString(Dom0, BackendDir + "/info", "0");
        _store.WriteString(Dom0, BackendDir + "/feature-flush-cache", "1");
        _store.WriteString(Dom0, BackendDir + "/state", "4");
    }

    /// <summary>The frame of a grant the guest gave domain 0, writable when asked; null when it did not.</summary>
    private ulong? GrantedFrame(uint gref, bool write)
    {
        if (gref >= _guest.Grants.EntryCount)
        {
            return null;
        }

        var (flags, domain, frame) = _guest.Grants.ReadEntry(gref);
        bool ok = (flags & GrantFlags.TypeMask) == GrantFlags.PermitAccess && domain == DomId.Dom0 && (!write || (flags & GrantFlags.ReadOnly) == 0);
        return ok ? frame : null;
    }

    private bool Serve()
    {
        bool is64 = _guest.Width == GuestWidth.Bits64;
        int entry = is64 ? 112 : 108, id = is64 ? 8 : 4, sector = is64 ? 16 : 12, segments = is64 ? 24 : 20;
        var ring = _guest.Machine.Memory.Frame(_ringFrame);
        uint reqProd = BinaryPrimitives.ReadUInt32LittleEndian(ring);
        bool answered = false;
        while (_reqCons != reqProd)
        {
            var req = ring.Slice(64 + (int)(_reqCons % 32) * entry, entry);
            byte op = req[0];
            int count = req[1];
            ulong requestId = BinaryPrimitives.ReadUInt64LittleEndian(req[id..]);
            long first = (long)BinaryPrimitives.ReadUInt64LittleEndian(req[sector..]);
            short status = op switch
            {
                0 or 1 => Transfer(op == 1, first, count, req[segments..]),
                3 when count == 0 => 0,
                _ => -1,
            };
            Requests++;
            Refused += status != 0 ? 1 : 0;

            // The response takes the request's slot (rsp_prod follows req_cons).
            uint rspProd = BinaryPrimitives.ReadUInt32LittleEndian(ring[8..]);
            var rsp = ring.Slice(64 + (int)(rspProd % 32) * entry, entry);
            BinaryPrimitives.WriteUInt64LittleEndian(rsp, requestId);
            rsp[8] = op;
            BinaryPrimitives.WriteInt16LittleEndian(rsp[10..], status);
            BinaryPrimitives.WriteUInt32LittleEndian(ring[8..], rspProd + 1);
            _reqCons++;
            answered = true;
        }

        if (answered)
        {
            _guest.Events.SetPending(_port);
        }

        return answered;
    }

    private short Transfer(bool write, long firstSector, int count, ReadOnlySpan<byte> segments)
    {
        if (count is < 1 or > 11)
        {
            return -1;
        }

        long sector = firstSector;
        for (int i = 0; i < count; i++)
        {
            uint gref = BinaryPrimitives.ReadUInt32LittleEndian(segments[(i * 8)..]);
            int firstSect = segments[(i * 8) + 4], lastSect = segments[(i * 8) + 5];
            long sectors = lastSect - firstSect + 1;
            if (lastSect > 7 || sectors < 1 || sector + sectors > Disk.Length / SectorBytes || GrantedFrame(gref, write: !write) is not { } frame)
            {
                return -1;
            }

            var page = _guest.Machine.Memory.Frame(frame).Slice(firstSect * SectorBytes, (int)sectors * SectorBytes);
            var disk = Disk.AsSpan((int)(sector * SectorBytes), (int)sectors * SectorBytes);
            if (write)
            {
                page.CopyTo(disk);
            }
            else
            {
                disk.CopyTo(page);
            }

            sector += sectors;
        }

        return 0;
    }
}

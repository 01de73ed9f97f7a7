using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Store;
using static ActorVisor.Hypervisor.Tests.Store.StoreTestKit;

namespace ActorVisor.Hypervisor.Tests.FrontEnds;

/// <summary>
/// A small netif back-end written from netif.h for testing the SDK's netfront: it lays out the
/// XenBus directories (mac, feature-rx-copy), answers the handshake, delivers frames by copying
/// them into the receive buffers the guest posted (grant copy semantics: the buffer must be
/// granted writable to domain 0) and collects what the guest transmits (granted to domain 0).
/// </summary>
internal sealed class ScriptedNetBackend
{
    public const string FrontendDir = "/local/domain/1/device/vif/0";
    public const string BackendDir = "/local/domain/0/backend/vif/1/0";
    public const string Mac = "00:16:3e:00:00:01";
    private const int RingEntries = 256;

    private readonly XenStore _store;
    private readonly PvDomain _guest;
    private readonly Queue<byte[]> _toGuest = new();
    private ulong _txRing, _rxRing;
    private uint _port, _txCons, _rxCons;

    public ScriptedNetBackend(XenStore store, PvDomain guest)
    {
        _store = store;
        _guest = guest;
        Mkdir(FrontendDir, [new StorePermission(Guest, StoreAccess.None), new StorePermission(Dom0, StoreAccess.Read)]);
        Mkdir(BackendDir, [new StorePermission(Dom0, StoreAccess.None), new StorePermission(Guest, StoreAccess.Read)]);
        Write(FrontendDir + "/backend", BackendDir);
        Write(FrontendDir + "/backend-id", "0");
        Write(FrontendDir + "/mac", Mac);
        Write(FrontendDir + "/state", "1");
        Write(BackendDir + "/feature-rx-copy", "1");
        Write(BackendDir + "/state", "2");
    }

    public bool Connected => _txRing != 0;

    /// <summary>The front end's keys as it wrote them, once connected.</summary>
    public Dictionary<string, string?> FrontendKeys { get; } = [];

    /// <summary>Frames the guest sent, in order.</summary>
    public List<byte[]> FromGuest { get; } = [];

    public void Deliver(byte[] frame) => _toGuest.Enqueue(frame);

    private void Mkdir(string path, StorePermission[] permissions)
    {
        Assert.Equal(StoreError.None, _store.Mkdir(Dom0, 0, path));
        Assert.Equal(StoreError.None, _store.SetPermissions(Dom0, 0, path, permissions));
    }

    private void Write(string path, string value) => Assert.Equal(StoreError.None, _store.WriteString(Dom0, path, value));

    private string? Read(string path) => _store.Peek(path) is { } bytes ? Encoding.ASCII.GetString(bytes) : null;

    /// <summary>Moves the handshake on, delivers queued frames and takes transmitted ones. True when it notified the guest.</summary>
    public bool Step()
    {
        if (!Connected && Read(FrontendDir + "/state") == "4" && Read(BackendDir + "/state") == "2")
        {
            foreach (var key in new[] { "tx-ring-ref", "rx-ring-ref", "event-channel", "request-rx-copy", "feature-rx-notify", "feature-no-csum-offload" })
            {
                FrontendKeys[key] = Read(FrontendDir + "/" + key);
            }

            _txRing = Granted(uint.Parse(FrontendKeys["tx-ring-ref"]!, CultureInfo.InvariantCulture), write: true) ?? throw new InvalidOperationException("tx ring not granted");
            _rxRing = Granted(uint.Parse(FrontendKeys["rx-ring-ref"]!, CultureInfo.InvariantCulture), write: true) ?? throw new InvalidOperationException("rx ring not granted");
            _port = uint.Parse(FrontendKeys["event-channel"]!, CultureInfo.InvariantCulture);
            Write(BackendDir + "/state", "4");
        }

        if (!Connected)
        {
            return false;
        }

        bool notify = TakeTransmitted() | DeliverQueued();
        if (notify)
        {
            _guest.Events.SetPending(_port);
        }

        return notify;
    }

    private ulong? Granted(uint gref, bool write)
    {
        if (gref >= _guest.Grants.EntryCount)
        {
            return null;
        }

        var (flags, domain, frame) = _guest.Grants.ReadEntry(gref);
        bool ok = (flags & GrantFlags.TypeMask) == GrantFlags.PermitAccess && domain == DomId.Dom0 && (!write || (flags & GrantFlags.ReadOnly) == 0);
        return ok ? frame : null;
    }

    private bool TakeTransmitted()
    {
        var ring = _guest.Machine.Memory.Frame(_txRing);
        uint reqProd = BinaryPrimitives.ReadUInt32LittleEndian(ring);
        bool any = false;
        while (_txCons != reqProd)
        {
            var req = ring.Slice(64 + (int)(_txCons % RingEntries) * 12, 12);
            uint gref = BinaryPrimitives.ReadUInt32LittleEndian(req);
            int offset = BinaryPrimitives.ReadUInt16LittleEndian(req[4..]);
            ushort id = BinaryPrimitives.ReadUInt16LittleEndian(req[8..]);
            int size = BinaryPrimitives.ReadUInt16LittleEndian(req[10..]);
            short status = -1;
            if (Granted(gref, write: false) is { } frame && offset + size <= 4096)
            {
                FromGuest.Add(_guest.Machine.Memory.Frame(frame).Slice(offset, size).ToArray());
                status = 0;
            }

            uint rspProd = BinaryPrimitives.ReadUInt32LittleEndian(ring[8..]);
            var rsp = ring.Slice(64 + (int)(rspProd % RingEntries) * 12, 12);
            BinaryPrimitives.WriteUInt16LittleEndian(rsp, id);
            BinaryPrimitives.WriteInt16LittleEndian(rsp[2..], status);
            BinaryPrimitives.WriteUInt32LittleEndian(ring[8..], rspProd + 1);
            _txCons++;
            any = true;
        }

        return any;
    }

    private bool DeliverQueued()
    {
        var ring = _guest.Machine.Memory.Frame(_rxRing);
        bool any = false;
        while (_toGuest.Count > 0 && _rxCons != BinaryPrimitives.ReadUInt32LittleEndian(ring))
        {
            var frameBytes = _toGuest.Dequeue();
            var req = ring.Slice(64 + (int)(_rxCons % RingEntries) * 8, 8);
            ushort id = BinaryPrimitives.ReadUInt16LittleEndian(req);
            uint gref = BinaryPrimitives.ReadUInt32LittleEndian(req[4..]);
            short status = -1;
            if (Granted(gref, write: true) is { } buffer)
            {
                frameBytes.CopyTo(_guest.Machine.Memory.Frame(buffer));
                status = (short)frameBytes.Length;
            }

            uint rspProd = BinaryPrimitives.ReadUInt32LittleEndian(ring[8..]);
            var rsp = ring.Slice(64 + (int)(rspProd % RingEntries) * 8, 8);
            BinaryPrimitives.WriteUInt16LittleEndian(rsp, id);
            BinaryPrimitives.WriteUInt16LittleEndian(rsp[2..], 0);
            BinaryPrimitives.WriteUInt16LittleEndian(rsp[4..], 0);
            BinaryPrimitives.WriteInt16LittleEndian(rsp[6..], status);
            BinaryPrimitives.WriteUInt32LittleEndian(ring[8..], rspProd + 1);
            _rxCons++;
            any = true;
        }

        return any;
    }
}

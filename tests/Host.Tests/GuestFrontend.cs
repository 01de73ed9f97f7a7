using System.Buffers.Binary;
using System.Text;
using ActorVisor.Abi;
using ActorVisor.Host.Domains;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Store;

namespace ActorVisor.Host.Tests;

/// <summary>
/// A front-end driven from the test as a guest drives one: its hypercalls (event_channel_op) are
/// made through vCPU 0 of the real domain, its grants are written into its real grant table, its
/// ring pages are pages of its own memory, and its XenStore reads and writes go through the host's
/// store with its own domain id, under the same permission checks as its store ring.
/// </summary>
internal sealed class GuestFrontend
{
    private readonly HostStore _store;

    public GuestFrontend(PvDomain domain, HostStore store)
    {
        Domain = domain;
        _store = store;
    }

    public PvDomain Domain { get; }

    public DomId Id => Domain.Id;

    /// <summary>A guest page free for the test's use (the n-th page above the boot stack).</summary>
    public ulong Page(int n) => Domain.Built.Layout.StackVa + ((ulong)(n + 1) * 4096);

    public ulong MfnOf(ulong va) => Domain.Built.P2m[(int)Domain.Built.Layout.PfnOf(va)];

    public long Hypercall(HypercallNumber number, ulong command, ReadOnlySpan<byte> argument, out byte[] after)
    {
        ulong at = Page(12);
        Assert.True(Domain.Vcpus[0].GuestMemory.TryWrite(at, argument));
        long result = Domain.Vcpus[0].InvokeHypercall(number, command, at, 1);
        after = new byte[argument.Length];
        Assert.True(Domain.Vcpus[0].GuestMemory.TryRead(at, after));
        return result;
    }

    /// <summary>EVTCHNOP_alloc_unbound(dom = self, remote_dom); the port, or the errno as a negative number.</summary>
    public long AllocUnbound(int remote)
    {
        var op = new byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(op, DomId.Self.Value);
        BinaryPrimitives.WriteUInt16LittleEndian(op.AsSpan(2), (ushort)remote);
        long result = Hypercall(HypercallNumber.EventChannelOp, (ulong)EventChannelOp.AllocUnbound, op, out var after);
        return result != 0 ? result : BinaryPrimitives.ReadUInt32LittleEndian(after.AsSpan(4));
    }

    /// <summary>EVTCHNOP_status of one of its ports: (status, remote domain, remote port).</summary>
    public (uint Status, ushort RemoteDom, uint RemotePort) Status(uint port)
    {
        var op = new byte[24];
        BinaryPrimitives.WriteUInt16LittleEndian(op, DomId.Self.Value);
        BinaryPrimitives.WriteUInt32LittleEndian(op.AsSpan(4), port);
        Assert.Equal(0, Hypercall(HypercallNumber.EventChannelOp, (ulong)EventChannelOp.Status, op, out var after));
        return (BinaryPrimitives.ReadUInt32LittleEndian(after.AsSpan(8)), BinaryPrimitives.ReadUInt16LittleEndian(after.AsSpan(16)), BinaryPrimitives.ReadUInt32LittleEndian(after.AsSpan(20)));
    }

    public long Send(uint port)
    {
        var op = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(op, port);
        return Hypercall(HypercallNumber.EventChannelOp, (ulong)EventChannelOp.Send, op, out _);
    }

    /// <summary>Writes grant entry <paramref name="gref"/> for the page at <paramref name="va"/>, as gnttab_grant_foreign_access does.</summary>
    public void Grant(uint gref, int to, ulong va, bool readOnly = false)
    {
        Assert.Equal(GrantStatus.Okay, Domain.Grants.SetupTable(1, out var frames));
        var entry = Domain.Machine.Memory.Frame(frames[0]).Slice((int)gref * 8, 8);
        BinaryPrimitives.WriteUInt16LittleEndian(entry[2..], (ushort)to);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], (uint)MfnOf(va));
        BinaryPrimitives.WriteUInt16LittleEndian(entry, (ushort)(GrantFlags.PermitAccess | (readOnly ? GrantFlags.ReadOnly : 0)));
    }

    /// <summary>The flags word of grant entry <paramref name="gref"/> (GTF_reading/GTF_writing show the back-end's use).</summary>
    public ushort GrantFlagsOf(uint gref) => BinaryPrimitives.ReadUInt16LittleEndian(Domain.Machine.Memory.Frame(Domain.Grants.Frames[0]).Slice((int)gref * 8, 2));

    public StoreError Write(string path, string value) => _store.Use(s => s.Write(Id, 0, path, Encoding.ASCII.GetBytes(value)));

    public string? Read(string path) => _store.Use(s => s.Read(Id, 0, path, out var value) == StoreError.None ? Encoding.ASCII.GetString(value) : null);

    public uint ReadU32(ulong va)
    {
        var bytes = new byte[4];
        Assert.True(Domain.Vcpus[0].GuestMemory.TryRead(va, bytes));
        return BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }

    public void WriteU32(ulong va, uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        Assert.True(Domain.Vcpus[0].GuestMemory.TryWrite(va, bytes));
    }
}

using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Host.Domains;
using ActorVisor.Hypervisor;
using ActorVisor.Hypervisor.Pv;

namespace ActorVisor.Host.Tests;

/// <summary>
/// Two live domains built as the host builds them, on one machine behind one seam: a page granted
/// by one is mapped by the other through grant_table_op, read and written by both, unmapped, the
/// grant ended; GNTTABOP_copy writes into a granted page; destroying both gives the machine back.
/// </summary>
public sealed class SharedMachineGrantTests : IDisposable
{
    private readonly Machine _machine = Machine.WithMegabytes(64);
    private readonly HostSeam _seam = new();
    private readonly LiveDomain _front;
    private readonly LiveDomain _back;
    private readonly ulong _reserved;

    public SharedMachineGrantTests()
    {
        _reserved = _machine.FramesInUse;
        _front = Build(1);
        _back = Build(2);
    }

    public void Dispose()
    {
        _front.Dispose();
        _back.Dispose();
        _machine.Dispose();
    }

    private LiveDomain Build(int id)
    {
        var live = LiveDomain.TryBuild(Repository.ReadKernel("x86_64", "hello"), id, 16, 1, "", 1.0, id, _ => { }, out var error, placement: new DomainPlacement(_seam, _machine));
        Assert.True(live is not null, error);
        return live;
    }

    private static ulong Scratch(PvDomain d) => d.Built.Layout.StackVa + 4096;

    private static ulong MfnOf(PvDomain d, ulong va) => d.Built.P2m[(int)d.Built.Layout.PfnOf(va)];

    private static long GrantOp(PvDomain d, GrantTableOp op, ReadOnlySpan<byte> argument, out byte[] after)
    {
        ulong at = Scratch(d) + (8 * 4096);
        Assert.True(d.Vcpus[0].GuestMemory.TryWrite(at, argument));
        long result = d.Vcpus[0].InvokeHypercall(HypercallNumber.GrantTableOp, (ulong)op, at, 1);
        after = new byte[argument.Length];
        Assert.True(d.Vcpus[0].GuestMemory.TryRead(at, after));
        return result;
    }

    /// <summary>The front end grants the page at its scratch address to the back end: entry <paramref name="gref"/> of a v1 table.</summary>
    private Span<byte> Grant(uint gref, ushort flags)
    {
        var front = _front.Domain;
        Assert.Equal(GrantStatus.Okay, front.Grants.SetupTable(1, out var frames));
        var entry = _machine.Memory.Frame(frames[0]).Slice((int)gref * 8, 8);
        BinaryPrimitives.WriteUInt16LittleEndian(entry[2..], _back.Domain.Id.Value);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], (uint)MfnOf(front, Scratch(front)));
        BinaryPrimitives.WriteUInt16LittleEndian(entry, flags);
        return entry;
    }

    [Fact]
    public void Both_domains_live_on_the_one_machine_with_their_frames_owned_apart()
    {
        Assert.Same(_front.Domain.Machine, _back.Domain.Machine);
        ulong frontPage = MfnOf(_front.Domain, Scratch(_front.Domain));
        ulong backPage = MfnOf(_back.Domain, Scratch(_back.Domain));
        Assert.Equal(_front.Domain.Id, _machine.Frames[frontPage].Owner);
        Assert.Equal(_back.Domain.Id, _machine.Frames[backPage].Owner);
        Assert.Same(_front.Domain, _seam.FindPeer(_front.Domain.Id));
    }

    [Fact]
    public void A_back_end_maps_the_front_ends_granted_page_reads_and_writes_it_unmaps_and_the_front_end_ends_the_grant()
    {
        var front = _front.Domain;
        var back = _back.Domain;
        var entry = Grant(7, GrantFlags.PermitAccess);
        Assert.True(front.Vcpus[0].GuestMemory.TryWrite(Scratch(front), "request from the front end"u8));
        ulong host = Scratch(back) + (4 * 4096);

        var map = new byte[32];
        BinaryPrimitives.WriteUInt64LittleEndian(map, host);
        BinaryPrimitives.WriteUInt32LittleEndian(map.AsSpan(8), GrantMapFlags.HostMap);
        BinaryPrimitives.WriteUInt32LittleEndian(map.AsSpan(12), 7);
        BinaryPrimitives.WriteUInt16LittleEndian(map.AsSpan(16), front.Id.Value);
        Assert.Equal(0, GrantOp(back, GrantTableOp.MapGrantRef, map, out var mapped));
        Assert.Equal(0, BinaryPrimitives.ReadInt16LittleEndian(mapped.AsSpan(18)));
        uint handle = BinaryPrimitives.ReadUInt32LittleEndian(mapped.AsSpan(20));
        Assert.Equal(GrantFlags.Writing, BinaryPrimitives.ReadUInt16LittleEndian(entry) & GrantFlags.Writing);

        var seen = new byte[26];
        Assert.True(back.Vcpus[0].GuestMemory.TryRead(host, seen));
        Assert.Equal("request from the front end"u8.ToArray(), seen);
        Assert.True(back.Vcpus[0].GuestMemory.TryWrite(host + 100, "response"u8));
        var answered = new byte[8];
        Assert.True(front.Vcpus[0].GuestMemory.TryRead(Scratch(front) + 100, answered));
        Assert.Equal("response"u8.ToArray(), answered);

        var unmap = new byte[24];
        BinaryPrimitives.WriteUInt64LittleEndian(unmap, host);
        BinaryPrimitives.WriteUInt32LittleEndian(unmap.AsSpan(16), handle);
        Assert.Equal(0, GrantOp(back, GrantTableOp.UnmapGrantRef, unmap, out var unmapped));
        Assert.Equal(0, BinaryPrimitives.ReadInt16LittleEndian(unmapped.AsSpan(20)));
        Assert.False(back.Vcpus[0].GuestMemory.TryTranslate(host, write: false, out _));

        // gnttab_end_foreign_access: the entry may be cleared once neither GTF_reading nor GTF_writing is set.
        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(entry) & (GrantFlags.Reading | GrantFlags.Writing));
        BinaryPrimitives.WriteUInt16LittleEndian(entry, 0);
        Assert.Equal(0, GrantOp(back, GrantTableOp.MapGrantRef, map, out var refused));
        Assert.Equal((short)GrantStatus.GeneralError, BinaryPrimitives.ReadInt16LittleEndian(refused.AsSpan(18)));
    }

    [Fact]
    public void A_back_end_copies_into_a_granted_page_with_gnttabop_copy()
    {
        var front = _front.Domain;
        var back = _back.Domain;
        Grant(9, GrantFlags.PermitAccess);
        ulong source = Scratch(back) + (5 * 4096);
        Assert.True(back.Vcpus[0].GuestMemory.TryWrite(source + 40, "copied across"u8));

        var copy = new byte[40];
        BinaryPrimitives.WriteUInt64LittleEndian(copy, MfnOf(back, source));
        BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(8), DomId.Self.Value);
        BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(10), 40);
        BinaryPrimitives.WriteUInt64LittleEndian(copy.AsSpan(16), 9);
        BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(24), front.Id.Value);
        BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(26), 200);
        BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(32), 13);
        BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(34), GrantCopyFlags.DestGref);

        Assert.Equal(0, GrantOp(back, GrantTableOp.Copy, copy, out var done));

        Assert.Equal(0, BinaryPrimitives.ReadInt16LittleEndian(done.AsSpan(36)));
        var landed = new byte[13];
        Assert.True(front.Vcpus[0].GuestMemory.TryRead(Scratch(front) + 200, landed));
        Assert.Equal("copied across"u8.ToArray(), landed);
    }

    [Fact]
    public void Destroying_both_domains_returns_every_frame_of_the_machine()
    {
        Grant(1, GrantFlags.PermitAccess);

        _front.Dispose();
        _back.Dispose();

        Assert.Equal(_reserved, _machine.FramesInUse);
        Assert.Null(_seam.FindPeer(new DomId(1)));
    }
}

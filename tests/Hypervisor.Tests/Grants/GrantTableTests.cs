using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Grants;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Tests.Grants;

public sealed class GrantTableTests : IDisposable
{
    private readonly Machine _machine = new(256);
    private readonly Dictionary<DomId, GrantTable> _tables = [];

    public GrantTableTests()
    {
        Granter = Create(new DomId(1));
        Grantee = Create(new DomId(2));
        Stranger = Create(new DomId(3));
        Assert.Equal(GrantStatus.Okay, Granter.SetupTable(1, out _));
    }

    private GrantTable Granter { get; }

    private GrantTable Grantee { get; }

    private GrantTable Stranger { get; }

    private GrantTable Create(DomId id)
    {
        var memory = new PvDomainMemory(id, GuestWidth.Bits64);
        _machine.Register(memory);
        var table = new GrantTable(_machine, memory, d => _tables.GetValueOrDefault(d), maxFrames: 4);
        _tables[id] = table;
        return table;
    }

    public void Dispose() => _machine.Dispose();

    private ulong GranterPage()
    {
        Assert.True(_machine.TryAllocateFrame(Granter.Owner.Id, out var mfn));
        return mfn;
    }

    private void Grant(uint gref, DomId to, ulong frame, ushort flags)
    {
        var entry = _machine.Memory.Frame(Granter.Frames[0]).Slice((int)gref * 8, 8);
        BinaryPrimitives.WriteUInt16LittleEndian(entry[2..], to.Value);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], (uint)frame);
        BinaryPrimitives.WriteUInt16LittleEndian(entry, flags);
    }

    [Fact]
    public void Setup_table_returns_hypervisor_frames_the_granter_may_map_and_respects_the_maximum()
    {
        Assert.Equal(GrantStatus.Okay, Granter.SetupTable(2, out var frames));
        Assert.Equal(2, frames.Count);
        Assert.All(frames, f => Assert.True(_machine.Frames.TryGetPage(f, Granter.Owner.Id)));
        Assert.Equal((2u, 4u), Granter.QuerySize());
        Assert.Equal(GrantStatus.GeneralError, Granter.SetupTable(5, out _));
    }

    [Fact]
    public void Mapping_a_granted_frame_takes_references_and_marks_the_entry_until_unmapped()
    {
        ulong page = GranterPage();
        Grant(10, Grantee.Owner.Id, page, GrantFlags.PermitAccess);

        Assert.Equal(GrantStatus.Okay, Grantee.Map(Granter.Owner.Id, 10, GrantMapFlags.HostMap, out var mfn, out var handle));
        Assert.Equal(page, mfn);
        Assert.Equal(GrantFlags.PermitAccess | GrantFlags.Writing, Granter.ReadEntry(10).Flags);
        Assert.Equal((2u, PageType.Writable, 1u), (_machine.Frames[page].RefCount, _machine.Frames[page].Type, _machine.Frames[page].TypeCount));

        Assert.Equal(GrantStatus.Okay, Grantee.Unmap(handle, out _));
        Assert.Equal(GrantFlags.PermitAccess, Granter.ReadEntry(10).Flags);
        Assert.Equal((1u, 0u), (_machine.Frames[page].RefCount, _machine.Frames[page].TypeCount));
        Assert.Equal(GrantStatus.BadHandle, Grantee.Unmap(handle, out _));
    }

    [Fact]
    public void A_grant_map_of_a_frame_not_granted_to_the_caller_is_refused()
    {
        ulong page = GranterPage();
        Grant(10, Grantee.Owner.Id, page, GrantFlags.PermitAccess);

        Assert.Equal(GrantStatus.GeneralError, Stranger.Map(Granter.Owner.Id, 10, GrantMapFlags.HostMap, out _, out _));
        Assert.Equal(GrantStatus.GeneralError, Grantee.Map(Granter.Owner.Id, 11, GrantMapFlags.HostMap, out _, out _));
        Assert.Equal(GrantStatus.BadGntref, Grantee.Map(Granter.Owner.Id, 5000, GrantMapFlags.HostMap, out _, out _));
        Assert.Equal(GrantStatus.BadDomain, Grantee.Map(new DomId(40), 10, GrantMapFlags.HostMap, out _, out _));
        Assert.Equal(1u, _machine.Frames[page].RefCount);
    }

    [Fact]
    public void A_read_only_grant_cannot_be_mapped_writable_but_can_be_read()
    {
        ulong page = GranterPage();
        Grant(12, Grantee.Owner.Id, page, GrantFlags.PermitAccess | GrantFlags.ReadOnly);

        Assert.Equal(GrantStatus.GeneralError, Grantee.Map(Granter.Owner.Id, 12, GrantMapFlags.HostMap, out _, out _));
        Assert.Equal(GrantStatus.Okay, Grantee.Map(Granter.Owner.Id, 12, GrantMapFlags.HostMap | GrantMapFlags.ReadOnly, out _, out _));
        Assert.Equal(GrantFlags.PermitAccess | GrantFlags.ReadOnly | GrantFlags.Reading, Granter.ReadEntry(12).Flags);
    }

    [Fact]
    public void A_frame_in_use_as_a_page_table_cannot_be_mapped_writable_through_a_grant()
    {
        ulong table = GranterPage();
        Assert.Equal(PageTableError.None, _machine.PageTables.Pin(table, PageType.L1, Granter.Owner));
        Grant(13, Grantee.Owner.Id, table, GrantFlags.PermitAccess);

        Assert.Equal(GrantStatus.BadPage, Grantee.Map(Granter.Owner.Id, 13, GrantMapFlags.HostMap, out _, out _));
        Assert.Equal(2u, _machine.Frames[table].RefCount);
    }

    [Fact]
    public void Copy_moves_bytes_into_a_writable_grant_and_checks_bounds_and_rights()
    {
        ulong target = GranterPage();
        Grant(14, Grantee.Owner.Id, target, GrantFlags.PermitAccess);
        Grant(15, Grantee.Owner.Id, target, GrantFlags.PermitAccess | GrantFlags.ReadOnly);
        Assert.True(_machine.TryAllocateFrame(Grantee.Owner.Id, out var own));
        "hello"u8.CopyTo(_machine.Memory.Frame(own)[100..]);
        var source = new GrantCopySide(false, (uint)own, DomId.Self, 100);

        Assert.Equal(GrantStatus.Okay, Grantee.Copy(source, new GrantCopySide(true, 14, Granter.Owner.Id, 200), 5));
        Assert.Equal("hello"u8.ToArray(), _machine.Memory.Frame(target).Slice(200, 5).ToArray());
        Assert.Equal(GrantStatus.GeneralError, Grantee.Copy(source, new GrantCopySide(true, 15, Granter.Owner.Id, 0), 5));
        Assert.Equal(GrantStatus.BadCopyArg, Grantee.Copy(source, new GrantCopySide(true, 14, Granter.Owner.Id, 4094), 5));
        Assert.Equal(GrantStatus.BadPage, Grantee.Copy(new GrantCopySide(false, (uint)target, DomId.Self, 0), source, 5));
    }

    [Fact]
    public void Only_version_1_is_offered()
    {
        Assert.Equal(XenErrno.None, Granter.SetVersion(1));
        Assert.Equal(XenErrno.NoSys, Granter.SetVersion(2));
        Assert.Equal(XenErrno.Inval, Granter.SetVersion(3));
    }
}

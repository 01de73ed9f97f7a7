using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Grants;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Tests.Grants;

/// <summary>A back-end inside the host (domain 5, an IOPM) using a front-end's grants through the front-end's real grant table.</summary>
public sealed class BackendGrantsTests : IDisposable
{
    private static readonly DomId Front = new(1);
    private static readonly DomId Iopm = new(5);
    private readonly Machine _machine = new(256);
    private readonly Dictionary<DomId, GrantTable> _tables = [];
    private readonly GrantTable _granter;
    private readonly PvDomainMemory _frontMemory = new(Front, GuestWidth.Bits64);
    private readonly BackendGrants _grants;

    public BackendGrantsTests()
    {
        _machine.Register(_frontMemory);
        _machine.RegisterDriverDomain(Iopm);
        _granter = new GrantTable(_machine, _frontMemory, d => _tables.GetValueOrDefault(d), maxFrames: 2);
        _tables[Front] = _granter;
        Assert.Equal(GrantStatus.Okay, _granter.SetupTable(1, out _));
        _grants = new BackendGrants(_machine, d => _tables.GetValueOrDefault(d), Front, Iopm);
    }

    public void Dispose() => _machine.Dispose();

    private ulong FrontPage()
    {
        Assert.True(_machine.TryAllocateFrame(Front, out var mfn));
        return mfn;
    }

    private Span<byte> Entry(uint gref) => _machine.Memory.Frame(_granter.Frames[0]).Slice((int)gref * 8, 8);

    private void Grant(uint gref, DomId to, ulong frame, ushort flags)
    {
        var entry = Entry(gref);
        BinaryPrimitives.WriteUInt16LittleEndian(entry[2..], to.Value);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], (uint)frame);
        BinaryPrimitives.WriteUInt16LittleEndian(entry, flags);
    }

    private ushort Flags(uint gref) => BinaryPrimitives.ReadUInt16LittleEndian(Entry(gref));

    [Fact]
    public void A_registered_driver_domain_is_a_domain_of_the_machine()
    {
        Assert.True(_machine.HasDomain(Iopm));
        Assert.True(_machine.HasDomain(Front));
        Assert.False(_machine.HasDomain(new DomId(9)));
        Assert.Throws<InvalidOperationException>(() => _machine.RegisterDriverDomain(Front));
    }

    [Fact]
    public void Copies_both_ways_through_a_granted_page_and_leave_no_reference_or_mark()
    {
        ulong page = FrontPage();
        Grant(8, Iopm, page, GrantFlags.PermitAccess);
        "from the guest"u8.CopyTo(_machine.Memory.Frame(page)[100..]);

        var read = new byte[14];
        Assert.Equal(BackendGrantError.None, _grants.CopyFrom(8, 100, read));
        Assert.Equal("from the guest"u8.ToArray(), read);
        Assert.Equal(BackendGrantError.None, _grants.CopyTo(8, 4000, "answer"u8));
        Assert.Equal("answer"u8.ToArray(), _machine.Memory.Frame(page).Slice(4000, 6).ToArray());

        Assert.Equal((1u, 0u), (_machine.Frames[page].RefCount, _machine.Frames[page].TypeCount));
        Assert.Equal(GrantFlags.PermitAccess, Flags(8));
    }

    [Fact]
    public void Grants_for_another_domain_read_only_grants_written_bad_references_and_foreign_frames_are_refused()
    {
        ulong page = FrontPage();
        Grant(8, new DomId(6), page, GrantFlags.PermitAccess);
        Grant(9, Iopm, page, GrantFlags.PermitAccess | GrantFlags.ReadOnly);
        Grant(10, Iopm, page, GrantFlags.AcceptTransfer);
        Assert.True(_machine.TryAllocateFrame(new DomId(3), out var foreign));
        Grant(11, Iopm, foreign, GrantFlags.PermitAccess);
        var buffer = new byte[16];

        Assert.Equal(BackendGrantError.NotGranted, _grants.CopyFrom(8, 0, buffer));
        Assert.Equal(BackendGrantError.NotGranted, _grants.CopyFrom(10, 0, buffer));
        Assert.Equal(BackendGrantError.NotGranted, _grants.CopyFrom(12, 0, buffer));
        Assert.Equal(BackendGrantError.None, _grants.CopyFrom(9, 0, buffer));
        Assert.Equal(BackendGrantError.ReadOnly, _grants.CopyTo(9, 0, buffer));
        Assert.Equal(BackendGrantError.ReadOnly, _grants.Map(9, writable: true, out _));
        Assert.Equal(BackendGrantError.BadReference, _grants.CopyFrom(512, 0, buffer));
        Assert.Equal(BackendGrantError.BadFrame, _grants.CopyFrom(11, 0, buffer));
        Assert.Equal(BackendGrantError.OutOfPage, _grants.CopyFrom(9, 4090, buffer));
        Assert.Equal(BackendGrantError.OutOfPage, _grants.CopyFrom(9, -1, buffer));
        Assert.Equal(1u, _machine.Frames[page].RefCount);
        Assert.Equal(1u, _machine.Frames[foreign].RefCount);
    }

    [Fact]
    public void A_mapping_holds_a_reference_and_the_writing_mark_until_disposed()
    {
        ulong page = FrontPage();
        Grant(8, Iopm, page, GrantFlags.PermitAccess);

        Assert.Equal(BackendGrantError.None, _grants.Map(8, writable: true, out var mapping));
        Assert.Equal(GrantFlags.PermitAccess | GrantFlags.Writing, Flags(8));
        Assert.Equal((2u, PageType.Writable, 1u), (_machine.Frames[page].RefCount, _machine.Frames[page].Type, _machine.Frames[page].TypeCount));
        mapping!.Bytes[7] = 0x5a;
        Assert.Equal(0x5a, _machine.Memory.Frame(page)[7]);

        Assert.Equal(BackendGrantError.None, _grants.Map(8, writable: false, out var reader));
        Assert.Equal(GrantFlags.PermitAccess | GrantFlags.Writing | GrantFlags.Reading, Flags(8));
        reader!.Dispose();
        mapping.Dispose();
        mapping.Dispose();

        Assert.Equal(GrantFlags.PermitAccess, Flags(8));
        Assert.Equal((1u, 0u), (_machine.Frames[page].RefCount, _machine.Frames[page].TypeCount));
        Assert.True(mapping.Bytes.IsEmpty);
    }

    [Fact]
    public void A_page_table_frame_cannot_be_mapped_writable()
    {
        ulong page = FrontPage();
        Grant(8, Iopm, page, GrantFlags.PermitAccess);
        Assert.Equal(PageTableError.None, _machine.PageTables.GetPageType(page, _frontMemory, PageType.L1));

        Assert.Equal(BackendGrantError.BadFrame, _grants.Map(8, writable: true, out _));
        Assert.Equal(BackendGrantError.None, _grants.CopyFrom(8, 0, new byte[8]));
    }

    [Fact]
    public void When_the_front_end_is_destroyed_a_live_mapping_keeps_its_frame_until_disposed_and_new_uses_are_refused()
    {
        ulong page = FrontPage();
        Grant(8, Iopm, page, GrantFlags.PermitAccess);
        Assert.Equal(BackendGrantError.None, _grants.Map(8, writable: true, out var mapping));
        int free = _machine.Frames.FreeFrames;

        lock (_machine.FrameLock)
        {
            _granter.Relinquish();
            Assert.False(_machine.Frames.Relinquish(page));
        }

        Assert.Equal(BackendGrantError.GranterGone, _grants.CopyFrom(8, 0, new byte[8]));
        Assert.True(_machine.Frames[page].IsAllocated);
        mapping!.Bytes[0] = 1;
        _tables.Remove(Front);
        Assert.Equal(BackendGrantError.GranterGone, _grants.Map(8, writable: false, out _));

        mapping.Dispose();

        Assert.False(_machine.Frames[page].IsAllocated);
        Assert.Equal(free + 1, _machine.Frames.FreeFrames);
    }
}

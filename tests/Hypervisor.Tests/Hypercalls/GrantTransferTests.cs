using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Tests.Boot;

namespace ActorVisor.Hypervisor.Tests.Hypercalls;

/// <summary>
/// GNTTABOP_transfer between two real domains of one machine, through the runtime vCPU and the
/// seam: the page changes owner in the frame table, both reservations and the M2P follow, the
/// receiver's accept-transfer entry is completed, and every refusal answers Xen's status.
/// </summary>
public sealed class GrantTransferTests : IDisposable
{
    private const uint Gref = 9;
    private const uint WantedPfn = 0x321;
    private readonly Machine _machine = Machine.WithMegabytes(96);
    private readonly TestDomainHost _host = new();

    public void Dispose() => _machine.Dispose();

    private PvDomain Build(string arch, DomId id)
    {
        var image = XenElfLoader.Parse(GuestImages.Load(arch, "hello")).Image!;
        var built = DomainBuilder.Build(_machine, image, DomainConfig.WithMegabytes(id, 16)).Domain!;
        var domain = new PvDomain(_machine, built, _host);
        _host.Add(domain);
        return domain;
    }

    private static ulong Scratch(PvDomain d) => d.Built.Layout.StackVa + 4096;

    /// <summary>The domain's last frame: allocated to it, outside the bootstrap mapping, so referenced by nothing else.</summary>
    private ulong UnmappedFrame(PvDomain d)
    {
        ulong mfn = d.Built.P2m[^1];
        Assert.Equal((d.Id, 1u, 0u), (_machine.Frames[mfn].Owner, _machine.Frames[mfn].RefCount, _machine.Frames[mfn].TypeCount));
        return mfn;
    }

    /// <summary>Writes the receiver's grant entry <see cref="Gref"/> and returns the frame holding the table.</summary>
    private static ulong Offer(PvDomain receiver, DomId from, ushort flags)
    {
        Assert.Equal(GrantStatus.Okay, receiver.Grants.SetupTable(1, out var frames));
        var entry = receiver.Machine.Memory.Frame(frames[0]).Slice((int)Gref * 8, 8);
        BinaryPrimitives.WriteUInt16LittleEndian(entry[2..], from.Value);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], WantedPfn);
        BinaryPrimitives.WriteUInt16LittleEndian(entry, flags);
        return frames[0];
    }

    /// <summary>Runs GNTTABOP_transfer with the given operations from <paramref name="sender"/> and returns each status.</summary>
    private static short[] Transfer(PvDomain sender, params (ulong Mfn, DomId To, uint Ref)[] ops)
    {
        var layout = GrantTransferLayout.For(sender.Width);
        var bytes = new byte[ops.Length * layout.Size];
        for (int i = 0; i < ops.Length; i++)
        {
            var op = bytes.AsSpan(i * layout.Size, layout.Size);
            if (sender.Width == GuestWidth.Bits64)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(op, ops[i].Mfn);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(op, (uint)ops[i].Mfn);
            }

            BinaryPrimitives.WriteUInt16LittleEndian(op[layout.DomId..], ops[i].To.Value);
            BinaryPrimitives.WriteUInt32LittleEndian(op[layout.Ref..], ops[i].Ref);
            BinaryPrimitives.WriteInt16LittleEndian(op[layout.Status..], 99);
        }

        ulong va = Scratch(sender);
        Assert.True(sender.Vcpus[0].GuestMemory.TryWrite(va, bytes));
        Assert.Equal(0, sender.Vcpus[0].InvokeHypercall(HypercallNumber.GrantTableOp, (ulong)GrantTableOp.Transfer, va, (ulong)ops.Length));
        Assert.True(sender.Vcpus[0].GuestMemory.TryRead(va, bytes));
        return [.. Enumerable.Range(0, ops.Length).Select(i => BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan((i * layout.Size) + layout.Status)))];
    }

    private (ushort Flags, DomId Domain, uint Frame) Entry(ulong tableFrame)
    {
        var entry = _machine.Memory.Frame(tableFrame).Slice((int)Gref * 8, 8);
        return (BinaryPrimitives.ReadUInt16LittleEndian(entry), new DomId(BinaryPrimitives.ReadUInt16LittleEndian(entry[2..])), BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]));
    }

    [Theory]
    [InlineData("x86_64", "x86_64")]
    [InlineData("x86_32", "x86_64")]
    [InlineData("x86_64", "x86_32")]
    [InlineData("x86_32", "x86_32")]
    public void A_transferred_page_changes_owner_with_its_contents_and_completes_the_receivers_entry(string senderArch, string receiverArch)
    {
        var sender = Build(senderArch, new DomId(1));
        var receiver = Build(receiverArch, new DomId(2));
        Assert.True(receiver.Reservation.TrySetMaximumPages(receiver.Reservation.CurrentPages + 1));
        ulong table = Offer(receiver, sender.Id, GrantFlags.AcceptTransfer);
        ulong mfn = UnmappedFrame(sender);
        "the sender's data"u8.CopyTo(_machine.Memory.Frame(mfn)[64..]);
        ulong senderPages = sender.Reservation.CurrentPages, receiverPages = receiver.Reservation.CurrentPages;

        Assert.Equal([(short)GrantStatus.Okay], Transfer(sender, (mfn, receiver.Id, Gref)));

        Assert.Equal((receiver.Id, 1u, 0u), (_machine.Frames[mfn].Owner, _machine.Frames[mfn].RefCount, _machine.Frames[mfn].TypeCount));
        Assert.Equal((senderPages - 1, receiverPages + 1), (sender.Reservation.CurrentPages, receiver.Reservation.CurrentPages));
        Assert.Equal(((ushort)(GrantFlags.AcceptTransfer | GrantFlags.TransferCommitted | GrantFlags.TransferCompleted), sender.Id, (uint)mfn), Entry(table));
        Assert.Equal(WantedPfn, _machine.MachineToPhys[mfn]);
        Assert.Equal("the sender's data"u8.ToArray(), _machine.Memory.Frame(mfn).Slice(64, 17).ToArray());
        Assert.Contains($"transfer mfn {mfn:x} to 2 gref {Gref} from 1", _host.CrossDomain);

        // The receiver may use it as its own page now, and the sender may not.
        Assert.True(_machine.Frames.TryGetPage(mfn, receiver.Id));
        _machine.Frames.PutPage(mfn);
        Assert.False(_machine.Frames.TryGetPage(mfn, sender.Id));
    }

    [Fact]
    public void A_page_the_sender_still_maps_or_does_not_own_is_refused_with_bad_page_and_nothing_moves()
    {
        var sender = Build("x86_64", new DomId(1));
        var receiver = Build("x86_64", new DomId(2));
        Assert.True(receiver.Reservation.TrySetMaximumPages(receiver.Reservation.CurrentPages + 1));
        ulong table = Offer(receiver, sender.Id, GrantFlags.AcceptTransfer);
        ulong mapped = sender.Built.P2m[(int)sender.Built.Layout.PfnOf(Scratch(sender))];
        ulong others = UnmappedFrame(receiver);
        ulong senderPages = sender.Reservation.CurrentPages;
        var mappedBefore = _machine.Frames[mapped];

        short[] statuses = Transfer(sender, (mapped, receiver.Id, Gref), (others, receiver.Id, Gref), (sender.Built.SharedInfoMfn, receiver.Id, Gref), (_machine.Frames.FrameCount + 5, receiver.Id, Gref));

        Assert.All(statuses, s => Assert.Equal((short)GrantStatus.BadPage, s));
        Assert.Equal(mappedBefore.ToString(), _machine.Frames[mapped].ToString());
        Assert.Equal(receiver.Id, _machine.Frames[others].Owner);
        Assert.Equal(senderPages, sender.Reservation.CurrentPages);
        Assert.Equal((GrantFlags.AcceptTransfer, sender.Id, WantedPfn), Entry(table));
        Assert.DoesNotContain(_host.CrossDomain, line => line.StartsWith("transfer", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(GrantFlags.PermitAccess, 1, true, "an entry that grants access instead of accepting")]
    [InlineData(GrantFlags.AcceptTransfer, 3, true, "an entry that accepts a transfer from another domain")]
    [InlineData(GrantFlags.AcceptTransfer | GrantFlags.TransferCommitted, 1, true, "an entry already taken by a transfer")]
    [InlineData(GrantFlags.AcceptTransfer, 1, false, "a receiver at its reservation's ceiling")]
    public void A_receiver_that_does_not_accept_the_page_answers_general_error_and_the_page_is_gone_as_on_xen(ushort flags, ushort acceptedFrom, bool headroom, string why)
    {
        var sender = Build("x86_64", new DomId(1));
        var receiver = Build("x86_32", new DomId(2));
        if (headroom)
        {
            Assert.True(receiver.Reservation.TrySetMaximumPages(receiver.Reservation.CurrentPages + 1));
        }

        ulong table = Offer(receiver, new DomId(acceptedFrom), flags);
        ulong mfn = UnmappedFrame(sender);
        ulong senderPages = sender.Reservation.CurrentPages, receiverPages = receiver.Reservation.CurrentPages;
        int free = _machine.Frames.FreeFrames;

        Assert.True(Transfer(sender, (mfn, receiver.Id, Gref))[0] == (short)GrantStatus.GeneralError, why);

        Assert.False(_machine.Frames[mfn].IsAllocated);
        Assert.Equal(free + 1, _machine.Frames.FreeFrames);
        Assert.Equal((senderPages - 1, receiverPages), (sender.Reservation.CurrentPages, receiver.Reservation.CurrentPages));
        Assert.Equal((flags, new DomId(acceptedFrom), WantedPfn), Entry(table));
        Assert.Equal(ulong.MaxValue, _machine.MachineToPhys[mfn]);
    }

    [Fact]
    public void A_transfer_to_a_domain_that_does_not_exist_answers_bad_domain_and_an_entry_out_of_the_table_general_error()
    {
        var sender = Build("x86_32", new DomId(1));
        var receiver = Build("x86_64", new DomId(2));
        Assert.True(receiver.Reservation.TrySetMaximumPages(receiver.Reservation.CurrentPages + 2));
        ulong table = Offer(receiver, sender.Id, GrantFlags.AcceptTransfer);
        ulong first = UnmappedFrame(sender);
        ulong second = sender.Built.P2m[^2];
        ulong third = sender.Built.P2m[^3];

        short[] statuses = Transfer(sender, (first, new DomId(40), Gref), (second, receiver.Id, receiver.Grants.EntryCount), (third, receiver.Id, Gref));

        Assert.Equal([(short)GrantStatus.BadDomain, (short)GrantStatus.GeneralError, (short)GrantStatus.Okay], statuses);
        Assert.False(_machine.Frames[first].IsAllocated);
        Assert.False(_machine.Frames[second].IsAllocated);
        Assert.Equal(receiver.Id, _machine.Frames[third].Owner);
        Assert.Equal((uint)third, Entry(table).Frame);
    }

    [Fact]
    public void A_destroyed_receiver_takes_no_page()
    {
        var sender = Build("x86_64", new DomId(1));
        var receiver = Build("x86_64", new DomId(2));
        Assert.True(receiver.Reservation.TrySetMaximumPages(receiver.Reservation.CurrentPages + 1));
        Offer(receiver, sender.Id, GrantFlags.AcceptTransfer);
        receiver.Relinquish();
        ulong mfn = UnmappedFrame(sender);

        Assert.Equal([(short)GrantStatus.GeneralError], Transfer(sender, (mfn, receiver.Id, Gref)));
        Assert.False(_machine.Frames[mfn].IsAllocated);
    }
}

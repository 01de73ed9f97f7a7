using System.Text;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Memory;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Pv.Events;

namespace ActorVisor.Hypervisor.Tests.Hypercalls;

public class HypercallDispatchTests
{
    [Fact]
    public void Console_io_passes_the_written_bytes_on_and_refuses_oversized_writes_and_reads()
    {
        using var f = new HypercallFixture();
        f.Write(f.Scratch, Encoding.ASCII.GetBytes("PASS one\ntwo"));

        Assert.Equal(0, f.Call(HypercallNumber.ConsoleIo, (ulong)ConsoleIoOp.Write, 12, f.Scratch));
        Assert.Equal(0, f.Call(HypercallNumber.ConsoleIo, (ulong)ConsoleIoOp.Write, 3, f.Scratch));
        Assert.Equal(-22, f.Call(HypercallNumber.ConsoleIo, (ulong)ConsoleIoOp.Write, 1 << 20, f.Scratch));
        Assert.Equal(-1, f.Call(HypercallNumber.ConsoleIo, (ulong)ConsoleIoOp.Read, 1, f.Scratch));

        Assert.Equal("PASS one\ntwoPAS", f.Console);
    }

    [Fact]
    public void An_unreadable_buffer_gives_EFAULT()
    {
        using var f = new HypercallFixture();

        Assert.Equal(-14, f.Call(HypercallNumber.ConsoleIo, 0, 8, 0x7000_0000_0000));
    }

    [Fact]
    public void Unknown_hypercalls_return_ENOSYS_and_are_counted_per_number()
    {
        using var f = new HypercallFixture();

        Assert.Equal(-38, f.Call((HypercallNumber)43));
        Assert.Equal(-38, f.Call((HypercallNumber)43));
        Assert.Equal(-38, f.Call(HypercallNumber.Sysctl));

        Assert.Equal(2, f.Domain.UnimplementedHypercalls[43]);
        Assert.Equal(1, f.Domain.UnimplementedHypercalls[(int)HypercallNumber.Sysctl]);
    }

    [Fact]
    public void Xen_version_reports_version_page_size_and_PV_features()
    {
        using var f = new HypercallFixture();
        f.WriteU32(f.Scratch, 0);

        Assert.Equal((4L << 16) | 19, f.Call(HypercallNumber.XenVersion, (ulong)XenVersionOp.Version));
        Assert.Equal(4096, f.Call(HypercallNumber.XenVersion, (ulong)XenVersionOp.PageSize));
        Assert.Equal(0, f.Call(HypercallNumber.XenVersion, (ulong)XenVersionOp.GetFeatures, f.Scratch));
        Assert.Equal(0u, f.ReadU32(f.Scratch + 4) & (1u << (int)XenFeature.AutoTranslatedPhysmap));
        Assert.NotEqual(0u, f.ReadU32(f.Scratch + 4) & (1u << (int)XenFeature.MmuPtUpdatePreserveAd));
        f.WriteU32(f.Scratch, 1);
        Assert.Equal(-22, f.Call(HypercallNumber.XenVersion, (ulong)XenVersionOp.GetFeatures, f.Scratch));
    }

    [Fact]
    public void Mmu_update_reads_requests_from_the_guest_and_writes_the_done_count()
    {
        using var f = new HypercallFixture();
        var layout = f.Domain.Built.Layout;
        ulong target = f.Scratch + (2 * 4096);
        Assert.Equal(PageTableError.None, GuestPageWalk.FindL1Slot(f.Machine.Memory, f.Domain.Width, f.Vcpu.Mmu.KernelRootMfn, target, out var l1, out var slot));
        ulong page = f.MfnOf(f.Scratch + (3 * 4096));
        ulong tableMfn = f.MfnOf(layout.PageTablesVa);
        // Request 0 remaps target read-only onto another page; request 1 tries to map the root table writable.
        f.WriteU64(f.Scratch, (l1 << 12) | ((ulong)slot << 3));
        f.WriteU64(f.Scratch + 8, (page << 12) | PteFlags.Present | PteFlags.Accessed);
        f.WriteU64(f.Scratch + 16, (l1 << 12) | ((ulong)(slot + 1) << 3));
        f.WriteU64(f.Scratch + 24, (tableMfn << 12) | PteFlags.Present | PteFlags.ReadWrite);
        f.WriteU32(f.Scratch + 32, 99);

        long result = f.Call(HypercallNumber.MmuUpdate, f.Scratch, 2, f.Scratch + 32, DomId.Self.Value);

        Assert.Equal(-16, result);
        Assert.Equal(1u, f.ReadU32(f.Scratch + 32));
        Assert.Equal((page << 12) | PteFlags.Present | PteFlags.Accessed, f.Machine.Memory.ReadEntry(l1, slot));
    }

    [Fact]
    public void Update_va_mapping_refuses_a_writable_mapping_of_the_root_table_with_EBUSY()
    {
        using var f = new HypercallFixture();
        var layout = f.Domain.Built.Layout;
        ulong root = f.MfnOf(layout.PageTablesVa);

        long refused = f.Call(HypercallNumber.UpdateVaMapping, layout.PageTablesVa, (root << 12) | 0x23, UpdateVaMappingFlags.Invlpg);
        long accepted = f.Call(HypercallNumber.UpdateVaMapping, layout.PageTablesVa, (root << 12) | 0x21, UpdateVaMappingFlags.Invlpg);

        Assert.Equal(-16, refused);
        Assert.Equal(0, accepted);
    }

    [Fact]
    public void Mmuext_pinning_the_builders_root_again_is_refused_with_EINVAL()
    {
        using var f = new HypercallFixture();
        f.WriteU32(f.Scratch, (uint)MmuextCommand.PinL4Table);
        f.WriteU64(f.Scratch + 8, f.Vcpu.Mmu.KernelRootMfn);

        Assert.Equal(-22, f.Call(HypercallNumber.MmuextOp, f.Scratch, 1, 0, DomId.Self.Value));
    }

    [Fact]
    public void Sched_op_shutdown_records_the_reason_and_stops_the_vcpu()
    {
        using var f = new HypercallFixture();
        f.WriteU32(f.Scratch, (uint)ShutdownReason.Poweroff);

        Assert.Equal(0, f.Call(HypercallNumber.SchedOp, (ulong)SchedOp.Shutdown, f.Scratch));

        Assert.Equal(ShutdownReason.Poweroff, f.Domain.ShutdownReason);
        Assert.Equal(SliceOutcome.ShutDown, f.Vcpu.RunSlice(1000).Outcome);
    }

    [Fact]
    public void Sched_op_block_unmasks_events_and_sleeps_only_when_nothing_is_deliverable()
    {
        using var f = new HypercallFixture();
        Assert.True(f.Domain.SharedInfo.UpcallMasked(0));

        Assert.Equal(0, f.Call(HypercallNumber.SchedOp, (ulong)SchedOp.Block));
        Assert.True(f.Vcpu.IsBlocked);
        Assert.False(f.Domain.SharedInfo.UpcallMasked(0));
        Assert.Equal(SliceOutcome.Blocked, f.Vcpu.RunSlice(1000).Outcome);

        using var g = new HypercallFixture();
        Assert.Equal(EventChannelError.None, g.Domain.Events.BindIpi(0, out var port));
        Assert.Equal(EventChannelError.None, g.Domain.Events.Send(port));
        Assert.Equal(0, g.Call(HypercallNumber.SchedOp, (ulong)SchedOp.Block));
        Assert.False(g.Vcpu.IsBlocked);
    }

    [Fact]
    public void Event_channel_op_allocates_closes_and_refuses_a_send_on_the_closed_port()
    {
        using var f = new HypercallFixture();
        f.WriteU32(f.Scratch, DomId.Self.Value);

        Assert.Equal(0, f.Call(HypercallNumber.EventChannelOp, (ulong)EventChannelOp.AllocUnbound, f.Scratch));
        uint port = f.ReadU32(f.Scratch + 4);
        f.WriteU32(f.Scratch + 16, port);

        Assert.NotEqual(0u, port);
        Assert.Equal(0, f.Call(HypercallNumber.EventChannelOp, (ulong)EventChannelOp.Close, f.Scratch + 16));
        Assert.Equal(-22, f.Call(HypercallNumber.EventChannelOp, (ulong)EventChannelOp.Send, f.Scratch + 16));
    }

    [Fact]
    public void Memory_op_reports_the_reservation_and_one_RAM_region()
    {
        using var f = new HypercallFixture();
        f.WriteU32(f.Scratch, DomId.Self.Value);
        f.WriteU32(f.Scratch + 16, 4);
        f.WriteU64(f.Scratch + 24, f.Scratch + 64);

        Assert.Equal(4096, f.Call(HypercallNumber.MemoryOp, (ulong)MemoryOp.CurrentReservation, f.Scratch));
        Assert.Equal(0, f.Call(HypercallNumber.MemoryOp, (ulong)MemoryOp.MemoryMap, f.Scratch + 16));
        Assert.Equal(1u, f.ReadU32(f.Scratch + 16));
        Assert.Equal(16u << 20, f.ReadU32(f.Scratch + 64 + 8));
        Assert.Equal(-38, f.Call(HypercallNumber.MemoryOp, (ulong)MemoryOp.Exchange, f.Scratch));
    }

    [Fact]
    public void Set_timer_op_arms_and_cancels_the_one_shot_timer()
    {
        using var f = new HypercallFixture();

        Assert.Equal(0, f.Call(HypercallNumber.SetTimerOp, 5_000_000));
        Assert.Equal(5_000_000L, f.Vcpu.NextTimerDeadlineNs);
        Assert.Equal(0, f.Call(HypercallNumber.SetTimerOp, 0));
        Assert.Null(f.Vcpu.NextTimerDeadlineNs);
    }

    [Fact]
    public void Set_trap_table_reads_entries_until_the_zero_terminator_and_faults_on_an_unreadable_table()
    {
        using var f = new HypercallFixture();
        f.Write(f.Scratch, [14, 0, 0x30, 0xE0, 0, 0, 0, 0]);
        f.WriteU64(f.Scratch + 8, 0x100123);
        f.Write(f.Scratch + 16, new byte[16]);

        Assert.Equal(0, f.Call(HypercallNumber.SetTrapTable, f.Scratch));
        Assert.Equal(-14, f.Call(HypercallNumber.SetTrapTable, 0x7000_0000_0000));
    }

    [Fact]
    public void Multicall_runs_each_entry_and_stores_each_result()
    {
        using var f = new HypercallFixture();
        ulong list = f.Scratch;
        f.WriteU64(list, (ulong)HypercallNumber.XenVersion);
        f.WriteU64(list + 16, (ulong)XenVersionOp.PageSize);
        f.WriteU64(list + 64, 43);

        Assert.Equal(0, f.Call(HypercallNumber.Multicall, list, 2));

        Assert.Equal(4096u, f.ReadU32(list + 8));
        Assert.Equal(unchecked((uint)-38), f.ReadU32(list + 64 + 8));
    }

    [Fact]
    public void A_32_bit_guest_passes_64_bit_ptes_as_two_halves()
    {
        using var f = new HypercallFixture("x86_32");
        var layout = f.Domain.Built.Layout;
        ulong root = f.MfnOf(layout.PageTablesVa);

        long refused = f.Call(HypercallNumber.UpdateVaMapping, layout.PageTablesVa, (root << 12) | 0x23, 0, UpdateVaMappingFlags.Invlpg);
        long accepted = f.Call(HypercallNumber.UpdateVaMapping, layout.PageTablesVa, (root << 12) | 0x21, 0, UpdateVaMappingFlags.Invlpg);

        Assert.Equal((-16L, 0L), (refused, accepted));
    }
}

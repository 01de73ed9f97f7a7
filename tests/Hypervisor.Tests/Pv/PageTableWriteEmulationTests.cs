using ActorVisor.Abi;
using ActorVisor.Hypervisor.Memory;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Tests.Hypercalls;

namespace ActorVisor.Hypervisor.Tests.Pv;

/// <summary>
/// Xen's writable page tables for the read-modify-write forms Linux uses on page-table entries:
/// XCHG (ptep_get_and_clear), LOCK CMPXCHG, and the bitops AND, OR, BTR and BTS (fork's
/// ptep_set_wrprotect, ptep_test_and_clear_young), on a read-only L1 of the domain.
/// </summary>
public class PageTableWriteEmulationTests
{
    private const int RegRbx = 3;
    private const int RegRdi = 7;
    private const ulong PresentAccessed = 0x21;
    private const ulong Writable = 0x2;
    private const ulong ZeroFlag = 1ul << 6;
    private const ulong CarryFlag = 1ul << 0;
    private const ulong Accessed = 0x20;

    private sealed class L1Entry
    {
        public L1Entry(HypercallFixture f)
        {
            Assert.Equal(0, f.Call(HypercallNumber.VmAssist, 0, VmAssist.TypeWritablePagetables));
            Page = f.Scratch + 0x4000;
            PageMfn = f.MfnOf(Page);
            var built = f.Domain.Built;
            Assert.Equal(PageTableError.None, GuestPageWalk.FindL1Slot(f.Machine.Memory, GuestWidth.Bits64, built.Vcpu0.RootMfn, Page, out var l1Mfn, out int slot));
            int l1Pfn = built.P2m.ToList().IndexOf(l1Mfn);
            Assert.True(l1Pfn >= 0);
            Va = built.Layout.VirtBase + ((ulong)l1Pfn << 12) + ((ulong)slot * 8);
            Assert.False(f.Vcpu.GuestMemory.TryTranslate(Va, write: true, out _));
        }

        public ulong Page { get; }

        public ulong PageMfn { get; }

        /// <summary>The virtual address of the (read-only) L1 entry that maps <see cref="Page"/>.</summary>
        public ulong Va { get; }

        public static ulong Read(HypercallFixture f, ulong va)
        {
            Assert.True(f.Vcpu.GuestMemory.TryReadU64(va, out var value));
            return value;
        }
    }

    [Fact]
    public void Xchg_into_a_read_only_l1_replaces_the_entry_and_returns_the_old_one()
    {
        using var f = new HypercallFixture();
        var entry = new L1Entry(f);
        ulong old = L1Entry.Read(f, entry.Va);
        ulong readOnly = (entry.PageMfn << 12) | PresentAccessed;
        f.Vcpu.Cpu.SetGpr(GuestCode.RegRax, entry.Va);
        f.Vcpu.Cpu.SetGpr(GuestCode.RegRdx, readOnly);

        var slice = GuestCode.Run(f, [0x48, 0x87, 0x10, 0xEB, 0xFE], 1); // xchg %rdx,(%rax)

        Assert.Equal(SliceOutcome.BudgetSpent, slice.Outcome);
        Assert.Equal(readOnly, L1Entry.Read(f, entry.Va));
        Assert.Equal(old, f.Vcpu.Cpu.GetGpr(GuestCode.RegRdx));
        Assert.Equal(GuestCode.CodeAddress(f) + 3, f.Vcpu.Cpu.Rip);
        Assert.False(f.Vcpu.GuestMemory.TryTranslate(entry.Page, write: true, out _));
    }

    [Fact]
    public void Lock_cmpxchg_with_a_stale_expected_value_leaves_the_entry_and_loads_it_into_rax()
    {
        using var f = new HypercallFixture();
        var entry = new L1Entry(f);
        ulong old = L1Entry.Read(f, entry.Va);
        f.Vcpu.Cpu.SetGpr(GuestCode.RegRax, old ^ Writable);
        f.Vcpu.Cpu.SetGpr(GuestCode.RegRdx, 0);
        f.Vcpu.Cpu.SetGpr(RegRdi, entry.Va);

        var slice = GuestCode.Run(f, [0xF0, 0x48, 0x0F, 0xB1, 0x17, 0xEB, 0xFE], 1); // lock cmpxchg %rdx,(%rdi)

        Assert.Equal(SliceOutcome.BudgetSpent, slice.Outcome);
        Assert.Equal(old, L1Entry.Read(f, entry.Va));
        Assert.Equal(old, f.Vcpu.Cpu.GetGpr(GuestCode.RegRax));
        Assert.Equal(0ul, f.Vcpu.Cpu.Rflags & ZeroFlag);
        Assert.Equal(GuestCode.CodeAddress(f) + 5, f.Vcpu.Cpu.Rip);
    }

    [Fact]
    public void Lock_cmpxchg_with_the_current_value_writes_the_new_entry_and_sets_zf()
    {
        using var f = new HypercallFixture();
        var entry = new L1Entry(f);
        ulong old = L1Entry.Read(f, entry.Va);
        ulong readOnly = (entry.PageMfn << 12) | PresentAccessed;
        f.Vcpu.Cpu.SetGpr(GuestCode.RegRax, old);
        f.Vcpu.Cpu.SetGpr(GuestCode.RegRdx, readOnly);
        f.Vcpu.Cpu.SetGpr(RegRdi, entry.Va);

        GuestCode.Run(f, [0xF0, 0x48, 0x0F, 0xB1, 0x17, 0xEB, 0xFE], 1);

        Assert.Equal(readOnly, L1Entry.Read(f, entry.Va));
        Assert.Equal(ZeroFlag, f.Vcpu.Cpu.Rflags & ZeroFlag);
        Assert.Equal(old, f.Vcpu.Cpu.GetGpr(GuestCode.RegRax));
    }

    [Fact]
    public void Xchg_that_would_map_a_page_table_writable_is_refused_and_the_entry_stays()
    {
        using var f = new HypercallFixture();
        var entry = new L1Entry(f);
        ulong old = L1Entry.Read(f, entry.Va);
        ulong rootMfn = f.Domain.Built.Vcpu0.RootMfn;
        f.Vcpu.Cpu.SetGpr(GuestCode.RegRax, entry.Va);
        f.Vcpu.Cpu.SetGpr(GuestCode.RegRdx, (rootMfn << 12) | PresentAccessed | Writable);
        f.Vcpu.Cpu.SetGpr(RegRbx, 0);

        var slice = GuestCode.Run(f, [0x48, 0x87, 0x10, 0xEB, 0xFE], 1);

        Assert.Equal(SliceOutcome.Crashed, slice.Outcome);
        Assert.Contains("vector 14", f.Domain.CrashDetail, StringComparison.Ordinal);
        Assert.Equal(old, L1Entry.Read(f, entry.Va));
    }

    [Fact]
    public void A_ds_prefixed_andb_clears_the_writable_bit_of_the_entry_byte_and_sets_the_flags_of_the_result()
    {
        using var f = new HypercallFixture();
        var entry = new L1Entry(f);
        ulong old = L1Entry.Read(f, entry.Va);
        Assert.Equal(Writable, old & Writable);
        f.Vcpu.Cpu.SetGpr(RegRdi, entry.Va);

        var slice = GuestCode.Run(f, [0x3E, 0x80, 0x27, 0xFD, 0xEB, 0xFE], 1); // ds andb $0xfd,(%rdi): Linux's clear_bit on one CPU

        Assert.Equal(SliceOutcome.BudgetSpent, slice.Outcome);
        Assert.Equal(old & ~Writable, L1Entry.Read(f, entry.Va));
        Assert.Equal(GuestCode.CodeAddress(f) + 4, f.Vcpu.Cpu.Rip);
        Assert.Equal(0ul, f.Vcpu.Cpu.Rflags & (ZeroFlag | CarryFlag));
        Assert.False(f.Vcpu.GuestMemory.TryTranslate(entry.Page, write: true, out _));
    }

    [Fact]
    public void Lock_btr_clears_the_accessed_bit_and_reports_its_old_value_in_cf()
    {
        using var f = new HypercallFixture();
        var entry = new L1Entry(f);
        ulong old = L1Entry.Read(f, entry.Va) | Accessed;
        f.Vcpu.Cpu.SetGpr(GuestCode.RegRax, entry.Va);
        f.Vcpu.Cpu.SetGpr(GuestCode.RegRdx, old);
        GuestCode.Run(f, [0x48, 0x87, 0x10, 0xEB, 0xFE], 1); // xchg %rdx,(%rax): the entry with A set
        f.Vcpu.Cpu.SetGpr(RegRdi, entry.Va);

        GuestCode.Run(f, [0xF0, 0x48, 0x0F, 0xBA, 0x37, 0x05, 0xEB, 0xFE], 1); // lock btrq $5,(%rdi)

        Assert.Equal(old & ~Accessed, L1Entry.Read(f, entry.Va));
        Assert.Equal(CarryFlag, f.Vcpu.Cpu.Rflags & CarryFlag);
        Assert.Equal(GuestCode.CodeAddress(f) + 6, f.Vcpu.Cpu.Rip);
    }

    [Fact]
    public void Lock_orb_that_would_map_a_page_table_writable_is_refused_and_the_entry_stays()
    {
        using var f = new HypercallFixture();
        var entry = new L1Entry(f);
        ulong rootMfn = f.Domain.Built.Vcpu0.RootMfn;
        ulong readOnlyRoot = (rootMfn << 12) | PresentAccessed;
        f.Vcpu.Cpu.SetGpr(GuestCode.RegRax, entry.Va);
        f.Vcpu.Cpu.SetGpr(GuestCode.RegRdx, readOnlyRoot);
        GuestCode.Run(f, [0x48, 0x87, 0x10, 0xEB, 0xFE], 1); // xchg: map the root table read-only, which is allowed
        Assert.Equal(readOnlyRoot, L1Entry.Read(f, entry.Va));
        f.Vcpu.Cpu.SetGpr(RegRdi, entry.Va);

        var slice = GuestCode.Run(f, [0xF0, 0x80, 0x0F, 0x02, 0xEB, 0xFE], 1); // lock orb $2,(%rdi)

        Assert.Equal(SliceOutcome.Crashed, slice.Outcome);
        Assert.Contains("vector 14", f.Domain.CrashDetail, StringComparison.Ordinal);
        Assert.Equal(readOnlyRoot, L1Entry.Read(f, entry.Va));
    }
}

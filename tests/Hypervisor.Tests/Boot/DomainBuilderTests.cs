using System.Buffers.Binary;
using System.Text;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Tests.Boot;

public class DomainBuilderTests
{
    private static (Machine Machine, BuiltDomain Domain) BuildHello(string arch, int megabytes = 16, string cmdline = "console=hvc0")
    {
        var image = XenElfLoader.Parse(GuestImages.Load(arch, "hello")).Image!;
        var machine = Machine.WithMegabytes(64);
        var result = DomainBuilder.Build(machine, image, DomainConfig.WithMegabytes(new DomId(1), megabytes, cmdline));
        Assert.True(result.Succeeded, result.Detail);
        return (machine, result.Domain!);
    }

    private static ulong ReadGuestLong(Machine machine, BuiltDomain d, ulong va, int size)
    {
        ulong mfn = d.P2m[(int)d.Layout.PfnOf(va)];
        var bytes = machine.Memory.Frame(mfn)[(int)(va & 0xFFF)..];
        return size == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }

    [Theory]
    [InlineData("x86_64")]
    [InlineData("x86_32")]
    public void The_hello_guest_is_laid_out_in_builder_order_with_slack_after_the_stack(string arch)
    {
        var (machine, d) = BuildHello(arch);
        using var owner = machine;
        var l = d.Layout;

        Assert.Equal((l.KernelEnd + 0xFFF) & ~0xFFFul, l.P2mVa);
        Assert.Equal(l.P2mVa + (l.P2mPages * 4096), l.StartInfoVa);
        Assert.Equal(l.PfnOf(l.StartInfoVa) + 1, l.StorePfn);
        Assert.Equal(l.StorePfn + 1, l.ConsolePfn);
        Assert.Equal(l.ConsolePfn + 1, l.PageTablesPfn);
        Assert.Equal(l.PageTablesVa + (l.PageTableFrames * 4096), l.StackVa);
        Assert.Equal(0ul, l.MappedEnd % (4ul << 20));
        Assert.True(l.MappedEnd - (l.StackVa + 4096) >= 512 * 1024);
    }

    [Theory]
    [InlineData("x86_64", "xen-3.0-x86_64", 8)]
    [InlineData("x86_32", "xen-3.0-x86_32p", 4)]
    public void Start_info_describes_the_domain(string arch, string magic, int longSize)
    {
        var (machine, d) = BuildHello(arch);
        using var owner = machine;
        var si = machine.Memory.Frame(d.StartInfoMfn).ToArray().AsSpan();
        var layout = StartInfoLayout.For(d.Image.Width);
        var copy = si.ToArray();
        ulong Long(int offset) => longSize == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(copy.AsSpan(offset)) : BinaryPrimitives.ReadUInt32LittleEndian(copy.AsSpan(offset));

        Assert.Equal(magic, Encoding.ASCII.GetString(si[..magic.Length]));
        Assert.Equal(0, si[magic.Length]);
        Assert.Equal(16ul * 256, Long(layout.NrPages));
        Assert.Equal(d.SharedInfoMfn << 12, Long(layout.SharedInfo));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(si[layout.Flags..]));
        Assert.Equal(d.P2m[(int)d.Layout.StorePfn], Long(layout.StoreMfn));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(si[layout.StoreEvtchn..]));
        Assert.Equal(d.P2m[(int)d.Layout.ConsolePfn], Long(layout.ConsoleMfn));
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(si[layout.ConsoleEvtchn..]));
        Assert.Equal(d.Layout.PageTablesVa, Long(layout.PtBase));
        Assert.Equal(d.Layout.PageTableFrames, Long(layout.NrPtFrames));
        Assert.Equal(d.Layout.P2mVa, Long(layout.MfnList));
        Assert.Equal("console=hvc0\0", Encoding.ASCII.GetString(si.Slice(layout.CmdLine, 13)));
        Assert.Equal(d.StartInfoMfn, d.P2m[(int)d.Layout.PfnOf(d.Layout.StartInfoVa)]);
    }

    [Theory]
    [InlineData("x86_64")]
    [InlineData("x86_32")]
    public void The_p2m_list_in_the_guest_matches_the_M2P(string arch)
    {
        var (machine, d) = BuildHello(arch);
        using var owner = machine;
        int size = d.Image.Width.LongSize();

        for (int pfn = 0; pfn < d.P2m.Count; pfn += 97)
        {
            ulong mfn = ReadGuestLong(machine, d, d.Layout.P2mVa + (ulong)(pfn * size), size);
            Assert.Equal(d.P2m[pfn], mfn);
            Assert.Equal((ulong)pfn, machine.MachineToPhys[mfn]);
            Assert.Equal(d.Memory.Id, machine.Frames[mfn].Owner);
        }
    }

    [Theory]
    [InlineData("x86_64")]
    [InlineData("x86_32")]
    public void Page_table_pages_are_typed_and_mapped_read_only_and_everything_else_writable(string arch)
    {
        var (machine, d) = BuildHello(arch);
        using var owner = machine;
        var l = d.Layout;
        var root = d.Vcpu0Mmu.KernelRootMfn;

        Assert.Equal(d.Vcpu0.RootMfn, root);
        Assert.True(machine.Frames[root].IsPinned);
        Assert.Equal(d.Memory.RootType, machine.Frames[root].Type);
        for (ulong va = l.VirtBase; va < l.MappedEnd; va += 4096)
        {
            Assert.True(GuestPageWalk.TryTranslate(machine.Memory, d.Image.Width, root, va, write: false, out var ma), $"{va:x} unmapped");
            ulong mfn = ma >> 12;
            Assert.Equal(d.P2m[(int)l.PfnOf(va)], mfn);
            bool isTable = va >= l.PageTablesVa && va < l.StackVa;
            bool writable = GuestPageWalk.TryTranslate(machine.Memory, d.Image.Width, root, va, write: true, out _);
            Assert.Equal(!isTable, writable);
            var frame = machine.Frames[mfn];
            Assert.True(frame.TypeCount > 0);
            Assert.Equal(isTable, frame.Type.IsPageTable());
            if (!isTable)
            {
                Assert.Equal(PageType.Writable, frame.Type);
            }
        }

        Assert.False(GuestPageWalk.TryTranslate(machine.Memory, d.Image.Width, root, l.MappedEnd, write: false, out _));
    }

    [Theory]
    [InlineData("x86_64", 0xE033, 0xE02B, 3)]
    [InlineData("x86_32", 0xE019, 0xE021, 1)]
    public void The_initial_vcpu_enters_at_the_ELF_entry_with_start_info_in_rsi(string arch, int cs, int ss, int cpl)
    {
        var (machine, d) = BuildHello(arch);
        using var owner = machine;
        var s = d.Vcpu0;

        Assert.Equal(d.Image.Entry, s.Rip);
        Assert.Equal(d.Layout.StartInfoVa, s.Rsi);
        Assert.Equal(d.Layout.StackVa + 4096, s.Rsp);
        Assert.Equal(((ushort)cs, (ushort)ss, cpl), (s.Cs, s.Ss, s.Cpl));
        Assert.Equal(0x200ul, s.Rflags);
        ulong expectedCr3 = arch == "x86_64" ? s.RootMfn << 12 : (s.RootMfn << 12) | (s.RootMfn >> 20);
        Assert.Equal(expectedCr3, s.Cr3);
    }

    [Theory]
    [InlineData("x86_64", 0x51)]
    [InlineData("x86_32", 0xB8)]
    public void The_hypercall_page_holds_a_stub_per_slot(string arch, byte firstByte)
    {
        var (machine, d) = BuildHello(arch);
        using var owner = machine;
        var page = machine.Memory.Frame(d.P2m[(int)d.Layout.HypercallPagePfn!.Value]);

        Assert.Equal(firstByte, page[0]);
        int movOffset = arch == "x86_64" ? 3 : 0;
        Assert.Equal(0xB8, page[(18 * 32) + movOffset]);
        Assert.Equal(18, BinaryPrimitives.ReadInt32LittleEndian(page[((18 * 32) + movOffset + 1)..]));
        Assert.Equal(0xCC, page[(18 * 32) + 31]);
        Assert.Equal(0x50, page[(23 * 32) + movOffset]);
    }

    [Fact]
    public void A_64_bit_guest_sees_the_M2P_read_only_at_MACH2PHYS_VIRT_START()
    {
        var (machine, d) = BuildHello("x86_64");
        using var owner = machine;
        var root = d.Vcpu0Mmu.KernelRootMfn;
        ulong mfn = d.P2m[123];

        Assert.True(GuestPageWalk.TryTranslateAsHardware(machine.Memory, GuestWidth.Bits64, root, HypervisorLayout.VirtStart64 + (mfn * 8), write: false, out var ma));
        Assert.False(GuestPageWalk.TryTranslateAsHardware(machine.Memory, GuestWidth.Bits64, root, HypervisorLayout.VirtStart64 + (mfn * 8), write: true, out _));
        Assert.Equal(123ul, BinaryPrimitives.ReadUInt64LittleEndian(machine.Memory.Frame(ma >> 12)[(int)(ma & 0xFFF)..]));
        Assert.False(GuestPageWalk.TryTranslate(machine.Memory, GuestWidth.Bits64, root, HypervisorLayout.VirtStart64, write: false, out _));
    }

    [Fact]
    public void Events_start_masked_in_every_legacy_vcpu_info()
    {
        var (machine, d) = BuildHello("x86_64");
        using var owner = machine;
        var shared = machine.Memory.Frame(d.SharedInfoMfn);

        for (int vcpu = 0; vcpu < 32; vcpu++)
        {
            Assert.Equal(1, shared[(vcpu * 64) + 1]);
        }

        Assert.Equal(DomId.Xen, machine.Frames[d.SharedInfoMfn].Owner);
        Assert.Equal(d.Memory.Id, machine.Frames[d.SharedInfoMfn].SharedWith);
    }

    [Fact]
    public void A_kernel_larger_than_the_domains_memory_is_refused()
    {
        var image = XenElfLoader.Parse(GuestImages.Load("x86_64", "hello")).Image!;
        using var machine = Machine.WithMegabytes(16);

        var result = DomainBuilder.Build(machine, image, new DomainConfig(new DomId(1), MemoryPages: 512));

        Assert.Equal(DomainBuildError.LargerThanMemory, result.Error);
        Assert.Null(machine.Find(new DomId(1)));
    }

    [Fact]
    public void A_domain_larger_than_the_host_is_refused()
    {
        var image = XenElfLoader.Parse(GuestImages.Load("x86_64", "hello")).Image!;
        using var machine = Machine.WithMegabytes(8);

        var result = DomainBuilder.Build(machine, image, DomainConfig.WithMegabytes(new DomId(1), 16));

        Assert.Equal(DomainBuildError.OutOfMachineMemory, result.Error);
    }

    [Fact]
    public void The_same_domain_id_cannot_be_built_twice()
    {
        var (machine, d) = BuildHello("x86_64");
        using var owner = machine;

        var again = DomainBuilder.Build(machine, d.Image, DomainConfig.WithMegabytes(d.Memory.Id, 8));

        Assert.Equal(DomainBuildError.BadDomainId, again.Error);
    }

    [Theory]
    [InlineData(GuestWidth.Bits64, 0xFFFFFFFF80000000ul, 0xFFFFFFFF803FFFFFul, 5)]
    [InlineData(GuestWidth.Bits64, 0xFFFFFFFF80000000ul, 0xFFFFFFFF80400000ul, 6)]
    [InlineData(GuestWidth.Bits64, 0ul, 0x40000000ul, 517)]
    [InlineData(GuestWidth.Bits32Pae, 0ul, 0x3FFFFFul, 7)]
    public void Table_counts_follow_the_builder_formula(GuestWidth width, ulong from, ulong to, int expected)
    {
        Assert.Equal((ulong)expected, DomainBuilder.CountTables(width, from, to));
    }
}

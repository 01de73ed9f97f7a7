using ActorVisor.Abi;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Tests.Memory;

/// <summary>Xen raises a present descriptor's DPL to the guest kernel's RPL before accepting it (check_descriptor).</summary>
public class DescriptorDplTests
{
    private const ulong KernelCode64 = 0x00AF9B000000FFFF; // DPL 0, long mode
    private const ulong KernelData = 0x00CF93000000FFFF;   // DPL 0
    private const ulong UserData = 0x00CFF3000000FFFF;     // DPL 3

    [Theory]
    [InlineData(GuestWidth.Bits64, KernelCode64, 0x00AFFB000000FFFF)]
    [InlineData(GuestWidth.Bits64, KernelData, 0x00CFF3000000FFFF)]
    [InlineData(GuestWidth.Bits32Pae, KernelData, 0x00CFB3000000FFFF)]
    [InlineData(GuestWidth.Bits64, UserData, UserData)]
    [InlineData(GuestWidth.Bits64, 0x00CF13000000FFFF, 0x00CF13000000FFFF)] // not present: left alone
    public void A_descriptor_below_the_kernel_rpl_is_raised_to_it(GuestWidth width, ulong descriptor, ulong expected)
    {
        Assert.Equal(expected, DescriptorRules.WithGuestDpl(descriptor, width));
    }

    [Fact]
    public void Validating_a_gdt_page_writes_the_raised_dpl_back_into_the_page()
    {
        using var fixture = new MemoryFixture();
        ulong page = fixture.Alloc();
        fixture.Machine.Memory.WriteEntry(page, 2, KernelCode64);
        fixture.Machine.Memory.WriteEntry(page, 3, KernelData);

        Assert.Equal(PageTableError.None, fixture.Tables.GetPageAndType(page, fixture.Guest, PageType.SegDesc));

        Assert.Equal(0x00AFFB000000FFFFul, fixture.Machine.Memory.ReadEntry(page, 2));
        Assert.Equal(0x00CFF3000000FFFFul, fixture.Machine.Memory.ReadEntry(page, 3));
    }
}

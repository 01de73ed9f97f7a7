using ActorVisor.Hypervisor.Pv;

namespace ActorVisor.Hypervisor.Tests.Pv;

public class StoreDecoderTests
{
    [Fact]
    public void A_64_bit_register_store_through_a_base_register_is_three_bytes_from_that_register()
    {
        // mov %rdx, (%rax)
        Assert.True(StoreDecoder.TryDecode([0x48, 0x89, 0x10], longMode: true, out var store));
        Assert.Equal(new DecodedStore(3, 8, 2, 0), store);
    }

    [Fact]
    public void A_store_from_an_extended_register_with_sib_and_disp8_has_its_full_length()
    {
        // mov %r9, 0x8(%rax,%rcx,8)
        Assert.True(StoreDecoder.TryDecode([0x4C, 0x89, 0x4C, 0xC8, 0x08], longMode: true, out var store));
        Assert.Equal(new DecodedStore(5, 8, 9, 0), store);
    }

    [Fact]
    public void A_32_bit_immediate_store_carries_its_immediate()
    {
        // movl $0x1234, 0x10(%ebx)
        Assert.True(StoreDecoder.TryDecode([0xC7, 0x43, 0x10, 0x34, 0x12, 0x00, 0x00], longMode: false, out var store));
        Assert.Equal(new DecodedStore(7, 4, -1, 0x1234), store);
    }

    [Fact]
    public void A_64_bit_immediate_store_sign_extends()
    {
        // movq $-1, (%rdi)
        Assert.True(StoreDecoder.TryDecode([0x48, 0xC7, 0x07, 0xFF, 0xFF, 0xFF, 0xFF], longMode: true, out var store));
        Assert.Equal(ulong.MaxValue, store.Immediate);
    }

    [Theory]
    [InlineData(new byte[] { 0x48, 0x89, 0xC2 })]
    [InlineData(new byte[] { 0x48, 0x8B, 0x10 })]
    [InlineData(new byte[] { 0xF0, 0x48, 0x89, 0x17 })]
    [InlineData(new byte[] { 0x48, 0x0F, 0xB0, 0x17 })]
    [InlineData(new byte[] { 0x48, 0x87, 0xD0 })]
    public void Anything_but_a_memory_store_exchange_or_compare_exchange_is_not_decoded(byte[] code)
    {
        Assert.False(StoreDecoder.TryDecode(code, longMode: true, out _));
    }

    [Fact]
    public void Xchg_with_memory_is_an_exchange_from_its_register()
    {
        // xchg %rdx,(%rax)
        Assert.True(StoreDecoder.TryDecode([0x48, 0x87, 0x10], longMode: true, out var store));
        Assert.Equal(new DecodedStore(3, 8, 2, 0, StoreKind.Exchange), store);
    }

    [Fact]
    public void Lock_cmpxchg_counts_its_prefix_in_the_length()
    {
        // lock cmpxchg %r8,0x10(%rdi)
        Assert.True(StoreDecoder.TryDecode([0xF0, 0x4C, 0x0F, 0xB1, 0x47, 0x10], longMode: true, out var store));
        Assert.Equal(new DecodedStore(6, 8, 8, 0, StoreKind.CompareExchange), store);
    }

    [Theory]
    [InlineData(new byte[] { 0x3E, 0x80, 0x27, 0xFD }, 4, 1, -1, 0xFDul, StoreKind.And)] // ds andb $0xfd,(%rdi)
    [InlineData(new byte[] { 0xF0, 0x80, 0x0F, 0x02 }, 4, 1, -1, 0x02ul, StoreKind.Or)] // lock orb $2,(%rdi)
    [InlineData(new byte[] { 0xF0, 0x48, 0x83, 0x67, 0x08, 0xFD }, 6, 8, -1, 0xFFFF_FFFF_FFFF_FFFDul, StoreKind.And)] // lock andq $-3,8(%rdi)
    [InlineData(new byte[] { 0x48, 0x09, 0x17 }, 3, 8, 2, 0ul, StoreKind.Or)] // or %rdx,(%rdi)
    [InlineData(new byte[] { 0xF0, 0x48, 0x0F, 0xBA, 0x37, 0x05 }, 6, 8, -1, 5ul, StoreKind.BitReset)] // lock btrq $5,(%rdi)
    [InlineData(new byte[] { 0xF0, 0x48, 0x0F, 0xAB, 0x17 }, 5, 8, 2, 0ul, StoreKind.BitSet)] // lock bts %rdx,(%rdi)
    public void Linux_bitops_on_an_entry_decode_with_their_prefixes_width_and_source(byte[] code, int length, int size, int register, ulong immediate, StoreKind kind)
    {
        Assert.True(StoreDecoder.TryDecode(code, longMode: true, out var store));
        Assert.Equal(new DecodedStore(length, size, register, immediate, kind), store);
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x07, 0x01 })] // addb $1,(%rdi)
    [InlineData(new byte[] { 0x80, 0x3F, 0x01 })] // cmpb $1,(%rdi)
    [InlineData(new byte[] { 0x48, 0x0F, 0xBA, 0x27, 0x05 })] // btq $5,(%rdi): reads only
    [InlineData(new byte[] { 0x3E, 0x80, 0xE7, 0xFD })] // andb $0xfd,%bh: no memory operand
    public void Other_immediate_groups_and_register_targets_are_not_decoded(byte[] code)
    {
        Assert.False(StoreDecoder.TryDecode(code, longMode: true, out _));
    }
}

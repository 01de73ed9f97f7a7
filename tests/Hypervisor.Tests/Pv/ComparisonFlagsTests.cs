using ActorVisor.Hypervisor.Pv;

namespace ActorVisor.Hypervisor.Tests.Pv;

public class ComparisonFlagsTests
{
    private const ulong Cf = 1ul << 0;
    private const ulong Pf = 1ul << 2;
    private const ulong Af = 1ul << 4;
    private const ulong Zf = 1ul << 6;
    private const ulong Sf = 1ul << 7;
    private const ulong Of = 1ul << 11;
    private const ulong Arithmetic = Cf | Pf | Af | Zf | Sf | Of;

    [Theory]
    [InlineData(5ul, 5ul, 8, Zf | Pf)]
    [InlineData(1ul, 2ul, 8, Cf | Sf | Pf | Af)]
    [InlineData(0x8000_0000_0000_0000ul, 1ul, 8, Of | Af | Pf)]
    [InlineData(0x1_0000_0000ul, 0ul, 4, Zf | Pf)]
    [InlineData(0x7FFF_FFFFul, 0xFFFF_FFFFul, 4, Cf | Sf | Of | Pf)]
    public void Cmp_sets_the_arithmetic_flags_of_left_minus_right(ulong left, ulong right, int size, ulong expected)
    {
        ulong flags = ComparisonFlags.After(0x202 | Arithmetic, left, right, size);

        Assert.Equal(expected, flags & Arithmetic);
        Assert.Equal(0x202ul, flags & ~Arithmetic);
    }
}

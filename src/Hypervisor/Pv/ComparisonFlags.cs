namespace ActorVisor.Hypervisor.Pv;

/// <summary>The arithmetic flags a CMP leaves, for instructions the hypervisor completes on the guest's behalf (CMPXCHG on a page-table entry).</summary>
public static class ComparisonFlags
{
    /// <summary>RFLAGS after CMP <paramref name="left"/>, <paramref name="right"/> of the given width: CF, PF, AF, ZF, SF and OF replaced.</summary>
    public static ulong After(ulong rflags, ulong left, ulong right, int sizeBytes)
    {
        int bits = sizeBytes * 8;
        ulong mask = bits == 64 ? ulong.MaxValue : (1ul << bits) - 1;
        ulong signBit = 1ul << (bits - 1);
        left &= mask;
        right &= mask;
        ulong result = (left - right) & mask;
        ulong flags = rflags & ~0x8D5ul;
        if (left < right)
        {
            flags |= 1ul << 0;
        }

        if ((System.Numerics.BitOperations.PopCount(result & 0xFF) & 1) == 0)
        {
            flags |= 1ul << 2;
        }

        if (((left ^ right ^ result) & 0x10) != 0)
        {
            flags |= 1ul << 4;
        }

        if (result == 0)
        {
            flags |= 1ul << 6;
        }

        if ((result & signBit) != 0)
        {
            flags |= 1ul << 7;
        }

        if (((left ^ right) & (left ^ result) & signBit) != 0)
        {
            flags |= 1ul << 11;
        }

        return flags;
    }
}

namespace ActorVisor.Cpu;

/// <summary>
/// A segment register with its hidden part. <see cref="Attributes"/> uses the packed layout of the
/// descriptor's access byte and flags: bits 0-3 type, 4 S, 5-6 DPL, 7 P, 12 AVL, 13 L, 14 D/B, 15 G.
/// </summary>
public readonly record struct SegmentState(ushort Selector, ulong Base, uint Limit, ushort Attributes)
{
    public int Dpl => (Attributes >> 5) & 3;

    public bool Present => (Attributes & 0x80) != 0;

    public bool LongMode => (Attributes & 0x2000) != 0;

    public bool DefaultBig => (Attributes & 0x4000) != 0;

    /// <summary>A flat 64-bit code segment (L set) with the given selector and DPL.</summary>
    public static SegmentState Code64(ushort selector, int dpl) => new(selector, 0, 0xFFFFFFFF, (ushort)(0xA09B | (dpl << 5)));

    /// <summary>A flat 32-bit code segment (D set) with the given selector and DPL.</summary>
    public static SegmentState Code32(ushort selector, int dpl) => new(selector, 0, 0xFFFFFFFF, (ushort)(0xC09B | (dpl << 5)));

    /// <summary>A flat writable data segment with the given selector and DPL.</summary>
    public static SegmentState Data(ushort selector, int dpl) => new(selector, 0, 0xFFFFFFFF, (ushort)(0xC093 | (dpl << 5)));

    /// <summary>Decodes the 8-byte descriptor found in a GDT or LDT (the base's upper half of a 16-byte system descriptor is passed separately).</summary>
    public static SegmentState FromDescriptor(ushort selector, ulong descriptor, uint baseHigh32 = 0)
    {
        var limit = (uint)(descriptor & 0xFFFF) | (uint)((descriptor >> 32) & 0xF0000);
        var baseAddress = ((descriptor >> 16) & 0xFFFFFF) | (((descriptor >> 56) & 0xFF) << 24) | ((ulong)baseHigh32 << 32);
        var attributes = (ushort)(((descriptor >> 40) & 0xFF) | (((descriptor >> 52) & 0xF) << 12));
        if ((attributes & 0x8000) != 0)
        {
            limit = (limit << 12) | 0xFFF;
        }
        return new SegmentState(selector, baseAddress, limit, attributes);
    }
}

/// <summary>GDTR or IDTR: a linear base and a limit.</summary>
public readonly record struct TableRegister(ulong Base, ushort Limit);

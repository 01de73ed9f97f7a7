namespace ActorVisor.Cpu;

/// <summary>
/// A straight run of decoded instructions starting at one (virtual RIP, physical address, mode) key and
/// ending at the first control transfer, system instruction, page end or the length limit. Only its
/// last instruction may change RIP. A block is invalidated, never edited, when its page is written;
/// the op array is pinned so that handlers can hold pointers into it.
/// </summary>
internal sealed class DecodedBlock
{
    public DecodedBlock(ulong rip, ulong physicalAddress, int modeKey, DecodedOp[] ops, int count)
    {
        Rip = rip;
        PhysicalAddress = physicalAddress;
        ModeKey = modeKey;
        Ops = ops;
        Count = count;
    }

    public ulong Rip { get; }

    public ulong PhysicalAddress { get; }

    public int ModeKey { get; }

    public DecodedOp[] Ops { get; }

    public int Count { get; }

    /// <summary>False once a write to the block's page (or an explicit invalidation) made it stale.</summary>
    public bool Valid { get; set; } = true;

    /// <summary>How many times the block was found through the cache lookup (entries through a chain link are not counted); the future JIT tier picks hot blocks by it.</summary>
    public long Executions { get; set; }

    /// <summary>The pinned address of the first op, so the run loop and invalidation compare blocks without object references.</summary>
    public unsafe DecodedOp* First { get; init; }

    /// <summary>
    /// Two direct links to successor blocks seen after this one (block chaining). A link is followed only
    /// when its epoch equals the CPU's chain epoch, which changes on every TLB flush and mode change, and
    /// the target is still valid and starts at the current RIP.
    /// </summary>
    public DecodedBlock? Link0 { get; set; }

    public DecodedBlock? Link1 { get; set; }

    public long LinkEpoch0 { get; set; }

    public long LinkEpoch1 { get; set; }
}

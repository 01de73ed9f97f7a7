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

    /// <summary>How many times the block was entered; the future JIT tier picks hot blocks by it.</summary>
    public long Executions { get; set; }
}

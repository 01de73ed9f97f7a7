namespace ActorVisor.Hypervisor.Memory;

/// <summary>One mmu_update request as the guest wrote it: ptr (machine address | sub-command) and val.</summary>
public readonly record struct MmuUpdateRequest(ulong Ptr, ulong Val);

/// <summary>One mmuext_op as the guest wrote it: cmd and the two argument words.</summary>
public readonly record struct MmuextRequest(uint Cmd, ulong Arg1, ulong Arg2);

/// <summary>Outcome of a batched hypercall: how many requests completed, and why the next one was refused.</summary>
public readonly record struct BatchResult(int Done, PageTableError Error)
{
    public bool Succeeded => Error == PageTableError.None;
}

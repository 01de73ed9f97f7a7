namespace ActorVisor.Hypervisor.Pv;

/// <summary>One hypercall as the guest made it, for people learning the ABI (<c>--trace</c>).</summary>
/// <param name="Vcpu">The calling vCPU.</param>
/// <param name="Number">The hypercall number.</param>
/// <param name="Name">Xen's name for it, or "hypercall_N" when unknown.</param>
/// <param name="Arguments">The five argument registers, truncated to the guest's width.</param>
/// <param name="Result">The value returned in rax/eax (negative: -errno).</param>
/// <param name="SystemTimeNs">Virtual system time at the call.</param>
public sealed record HypercallTraceEntry(int Vcpu, int Number, string Name, IReadOnlyList<ulong> Arguments, long Result, long SystemTimeNs)
{
    public override string ToString() =>
        $"[{SystemTimeNs,12}ns] vcpu{Vcpu} {Name}({string.Join(", ", Arguments.Select(a => $"0x{a:x}"))}) = {Result}";
}

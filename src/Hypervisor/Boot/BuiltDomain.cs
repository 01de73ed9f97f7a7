using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Boot;

/// <summary>A domain as the builder leaves it, ready for its first vCPU to run.</summary>
/// <param name="Config">What was asked for.</param>
/// <param name="Image">The kernel image.</param>
/// <param name="Memory">The domain's memory-management state, registered with the machine.</param>
/// <param name="Vcpu0Mmu">vCPU 0's page-table bases (the root table is installed and pinned).</param>
/// <param name="P2m">The initial PFN-to-MFN list, also copied into the guest at <see cref="BootLayout.P2mVa"/>.</param>
/// <param name="SharedInfoMfn">The hypervisor-owned shared_info page the guest may map.</param>
/// <param name="StartInfoMfn">The frame holding start_info.</param>
/// <param name="Layout">Where everything was placed.</param>
/// <param name="Vcpu0">The register state for the kernel's entry.</param>
public sealed record BuiltDomain(
    DomainConfig Config,
    XenElfImage Image,
    PvDomainMemory Memory,
    PvVcpuMmu Vcpu0Mmu,
    IReadOnlyList<ulong> P2m,
    ulong SharedInfoMfn,
    ulong StartInfoMfn,
    BootLayout Layout,
    InitialVcpuState Vcpu0);

/// <summary>Outcome of building a domain: the domain, or the refusal with a detail for humans.</summary>
public readonly record struct DomainBuildResult(BuiltDomain? Domain, DomainBuildError Error, string Detail)
{
    public bool Succeeded => Domain is not null;

    public static DomainBuildResult Fail(DomainBuildError error, string detail) => new(null, error, detail);
}

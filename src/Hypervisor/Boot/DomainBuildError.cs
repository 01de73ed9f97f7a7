namespace ActorVisor.Hypervisor.Boot;

/// <summary>Why a domain could not be built from a parsed image and a configuration.</summary>
public enum DomainBuildError
{
    None = 0,

    /// <summary>The kernel, its boot structures and 512 KiB of slack do not fit the domain's memory.</summary>
    LargerThanMemory,

    /// <summary>The host has not enough free machine frames for the domain.</summary>
    OutOfMachineMemory,

    /// <summary>The bootstrap mapping would reach the hypervisor's virtual range.</summary>
    MappingOutsideGuestSpace,

    /// <summary>The command line is longer than start_info can hold (1023 bytes).</summary>
    CommandLineTooLong,

    /// <summary>The domain id is not an ordinary domain id or is already in use.</summary>
    BadDomainId,

    /// <summary>A port the toolstack asked to allocate unbound is 0, out of range, the store or console port, or named twice.</summary>
    BadUnboundPort,
}

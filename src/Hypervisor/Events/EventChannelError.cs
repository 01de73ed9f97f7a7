using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Events;

/// <summary>Why an event channel operation asked for by a guest was refused.</summary>
public enum EventChannelError
{
    None = 0,

    /// <summary>The port is out of range, free, reserved, or in a state the operation does not apply to.</summary>
    BadPort,

    /// <summary>The named domain does not exist.</summary>
    NoSuchDomain,

    /// <summary>The caller may not act for the named domain.</summary>
    NotPermitted,

    /// <summary>No free port is left.</summary>
    NoFreePort,

    /// <summary>The VIRQ number is out of range, or a global VIRQ was asked for on a vCPU other than 0.</summary>
    BadVirq,

    /// <summary>The vCPU does not exist.</summary>
    NoSuchVcpu,

    /// <summary>The VIRQ is already bound on that vCPU.</summary>
    AlreadyBound,

    /// <summary>A global VIRQ belongs to another (the control) domain.</summary>
    VirqNotOurs,

    /// <summary>The remote port is not unbound or does not accept this domain.</summary>
    RemotePortNotOffered,

    /// <summary>The operation is not supported (physical IRQs without access).</summary>
    NotSupported,
}

/// <summary>Translation of event channel refusals to Xen's errno, at the ABI edge.</summary>
public static class EventChannelErrorExtensions
{
    public static XenErrno ToErrno(this EventChannelError error) => error switch
    {
        EventChannelError.None => XenErrno.None,
        EventChannelError.BadPort => XenErrno.Inval,
        EventChannelError.NoSuchDomain => XenErrno.Srch,
        EventChannelError.NotPermitted => XenErrno.Perm,
        EventChannelError.NoFreePort => XenErrno.NoSpc,
        EventChannelError.BadVirq => XenErrno.Inval,
        EventChannelError.NoSuchVcpu => XenErrno.NoEnt,
        EventChannelError.AlreadyBound => XenErrno.Exist,
        EventChannelError.VirqNotOurs => XenErrno.Busy,
        EventChannelError.RemotePortNotOffered => XenErrno.Inval,
        EventChannelError.NotSupported => XenErrno.Perm,
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, null),
    };
}

using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Pv.Events;

/// <summary>Why an event-channel operation asked for by the guest was refused.</summary>
public enum EventChannelError
{
    None = 0,

    /// <summary>The port number is out of range, reserved, or not in a state the operation accepts.</summary>
    BadPort,

    /// <summary>Every port is in use.</summary>
    NoFreePort,

    /// <summary>The VIRQ number is out of range, or a global VIRQ was asked for on a vCPU other than 0.</summary>
    BadVirq,

    /// <summary>The vCPU does not exist.</summary>
    NoSuchVcpu,

    /// <summary>The VIRQ or IPI is already bound on that vCPU.</summary>
    AlreadyBound,

    /// <summary>The named domain does not exist.</summary>
    NoSuchDomain,

    /// <summary>The domain may not bind this VIRQ (global VIRQs belong to the control domain).</summary>
    VirqOwnedElsewhere,

    /// <summary>The unbound port was allocated for another domain than the one binding it.</summary>
    NotAllowedForDomain,
}

/// <summary>Translation to the errno Xen returns.</summary>
public static class EventChannelErrorExtensions
{
    public static XenErrno ToErrno(this EventChannelError error) => error switch
    {
        EventChannelError.None => XenErrno.None,
        EventChannelError.BadPort => XenErrno.Inval,
        EventChannelError.NoFreePort => XenErrno.NoSpc,
        EventChannelError.BadVirq => XenErrno.Inval,
        EventChannelError.NoSuchVcpu => XenErrno.NoEnt,
        EventChannelError.AlreadyBound => XenErrno.Exist,
        EventChannelError.NoSuchDomain => XenErrno.Srch,
        EventChannelError.VirqOwnedElsewhere => XenErrno.Busy,
        EventChannelError.NotAllowedForDomain => XenErrno.Inval,
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, null),
    };
}

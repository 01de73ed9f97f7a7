namespace ActorVisor.Abi;

/// <summary>event_channel_op commands (EVTCHNOP_* in event_channel.h).</summary>
public enum EventChannelOp
{
    BindInterdomain = 0,
    BindVirq = 1,
    BindPirq = 2,
    Close = 3,
    Send = 4,
    Status = 5,
    AllocUnbound = 6,
    BindIpi = 7,
    BindVcpu = 8,
    Unmask = 9,
    Reset = 10,
    InitControl = 11,
    ExpandArray = 12,
    SetPriority = 13,
    ResetCont = 14,
}

/// <summary>EVTCHNSTAT_* values reported by EVTCHNOP_status.</summary>
public enum EvtchnStatus
{
    Closed = 0,
    Unbound = 1,
    Interdomain = 2,
    Pirq = 3,
    Virq = 4,
    Ipi = 5,
}

/// <summary>Argument structure offsets of event_channel_op (identical for 32- and 64-bit guests).</summary>
public static class EventChannelStructs
{
    /// <summary>evtchn_alloc_unbound: dom u16 @0, remote_dom u16 @2, port u32 @4 (out).</summary>
    public const int AllocUnboundSize = 8;

    /// <summary>evtchn_bind_interdomain: remote_dom u16 @0, remote_port u32 @4, local_port u32 @8 (out).</summary>
    public const int BindInterdomainSize = 12;

    /// <summary>evtchn_bind_virq: virq u32 @0, vcpu u32 @4, port u32 @8 (out).</summary>
    public const int BindVirqSize = 12;

    /// <summary>evtchn_bind_ipi: vcpu u32 @0, port u32 @4 (out).</summary>
    public const int BindIpiSize = 8;

    /// <summary>evtchn_bind_vcpu: port u32 @0, vcpu u32 @4.</summary>
    public const int BindVcpuSize = 8;

    /// <summary>evtchn_close, evtchn_send and evtchn_unmask: port u32 @0.</summary>
    public const int PortOnlySize = 4;

    /// <summary>evtchn_status: dom u16 @0, port u32 @4, status u32 @8, vcpu u32 @12, union @16.</summary>
    public const int StatusSize = 24;
    public const int StatusDom = 0;
    public const int StatusPort = 4;
    public const int StatusStatus = 8;
    public const int StatusVcpu = 12;
    public const int StatusUnion = 16;
    public const int StatusInterdomainPort = 20;
}

/// <summary>Virtual interrupt numbers (VIRQ_* in xen.h).</summary>
public enum Virq
{
    Timer = 0,
    Debug = 1,
    Console = 2,
    DomExc = 3,
    Tbuf = 4,
    Debugger = 6,
    Xenoprof = 7,
    ConRing = 8,
    PcpuState = 9,
    MemEvent = 10,
    Argo = 11,
    Enomem = 12,
    Xenpmu = 13,
    Arch0 = 16,
    Arch1 = 17,
    Arch2 = 18,
    Arch3 = 19,
    Arch4 = 20,
    Arch5 = 21,
    Arch6 = 22,
    Arch7 = 23,
}

/// <summary>Facts about VIRQ numbers.</summary>
public static class VirqFacts
{
    /// <summary>NR_VIRQS.</summary>
    public const int Count = 24;

    /// <summary>True for VIRQs that are bound per vCPU rather than globally (timer, debug, xenoprof, xenpmu).</summary>
    public static bool IsPerVcpu(Virq virq) =>
        virq is Virq.Timer or Virq.Debug or Virq.Xenoprof or Virq.Xenpmu;
}

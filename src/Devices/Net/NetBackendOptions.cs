namespace ActorVisor.Devices.Net;

/// <summary>The knobs of one vif's back-end.</summary>
public sealed record NetBackendOptions
{
    /// <summary>
    /// Largest frame the guest may send or receive, in bytes (Ethernet header included). The
    /// default is the most a tx request can describe (XEN_NETIF_MAX_TX_SIZE); a front-end with
    /// feature-sg sets its MTU up to that, one without stays at 1500 + 14.
    /// </summary>
    public int MaxFrameBytes { get; init; } = NetifLayout.MaxTxPacketBytes;

    /// <summary>
    /// Most data slots one tx packet may use. Xen's minimum is 18 (XEN_NETIF_NR_SLOTS_MIN), which
    /// Linux's netfront never exceeds; more is refused with NETIF_RSP_ERROR.
    /// </summary>
    public int MaxSlotsPerPacket { get; init; } = NetifLayout.MinSlotsPerPacket;

    /// <summary>
    /// Frames kept for the guest while it has no rx buffers posted; further frames are dropped and
    /// counted. 256 is one ring's worth.
    /// </summary>
    public int RxQueueFrames { get; init; } = 256;

    /// <summary>Most tx packets handled in one Service call before the back-end asks to be called again (fairness between vifs of one IOPM).</summary>
    public int TxPacketsPerService { get; init; } = 512;
}

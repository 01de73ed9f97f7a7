namespace ActorVisor.Devices.Net;

/// <summary>
/// What a front-end did wrong on its netif rings, from the guest's side. Each is counted per vif
/// (<see cref="NetCounters"/>); a bad packet is answered NETIF_RSP_ERROR on every slot it used
/// and dropped, a bad index stops the back-end from reading that ring until the front-end
/// publishes a sane one. Never an exception.
/// </summary>
public enum NetRingError
{
    None,

    /// <summary>The front-end moved req_prod backwards, behind requests the back-end already consumed.</summary>
    ProducerBackwards,

    /// <summary>The front-end published more unconsumed requests than the ring holds.</summary>
    ProducerTooFarAhead,

    /// <summary>A packet (first slot's size) shorter than an Ethernet header, zero-length included.</summary>
    PacketTooShort,

    /// <summary>A packet larger than the vif's largest frame.</summary>
    PacketTooLarge,

    /// <summary>A packet in more data slots than the back-end accepts.</summary>
    TooManySlots,

    /// <summary>A packet whose fragments run on for the whole ring without an end.</summary>
    PacketLongerThanRing,

    /// <summary>The following slots' sizes add up to more than the total the first slot declared.</summary>
    FragmentsExceedTotal,

    /// <summary>A slot's offset and size run past the end of its 4 KiB page.</summary>
    FragmentPastPageEnd,

    /// <summary>A slot named a grant the back-end could not use (bad reference, not granted, read-only rx buffer, ...).</summary>
    BadGrant,

    /// <summary>A GSO extra-info segment although the back-end advertised no GSO support.</summary>
    GsoNotSupported,

    /// <summary>An extra-info segment of an unknown type, or more segments than one packet may carry.</summary>
    BadExtraInfo,

    /// <summary>The checksum was flagged blank but the packet is not TCP or UDP over IPv4/IPv6 that the back-end can complete.</summary>
    ChecksumNotCompletable,
}

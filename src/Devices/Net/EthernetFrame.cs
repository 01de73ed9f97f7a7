namespace ActorVisor.Devices.Net;

/// <summary>
/// One Ethernet frame (destination, source, type, payload; no preamble or FCS) as it travels
/// between switch ports. The bytes are never changed after the frame is made, so one frame can go
/// to several ports at once. <see cref="ChecksumValidated"/> says the TCP/UDP checksum is known to
/// be right (the sending back-end completed it, or the sender vouched for it), which a receiving
/// vif passes on as NETRXF_data_validated.
/// </summary>
public readonly record struct EthernetFrame(ReadOnlyMemory<byte> Bytes, bool ChecksumValidated = false)
{
    public int Length => Bytes.Length;

    /// <summary>At least a destination, a source and an EtherType.</summary>
    public bool HasHeader => Bytes.Length >= NetifLayout.EthernetHeaderBytes;

    public MacAddress Destination => MacAddress.Read(Bytes.Span);

    public MacAddress Source => MacAddress.Read(Bytes.Span[MacAddress.Bytes..]);
}

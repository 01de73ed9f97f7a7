using System.Buffers.Binary;

namespace ActorVisor.Hypervisor.Store;

/// <summary>
/// Layout of the XenStore ring page (struct xenstore_domain_interface): a 1024-byte request
/// ring written by the guest, a 1024-byte response ring written by the store, then the
/// free-running u32 indices req_cons, req_prod, rsp_cons, rsp_prod (masked with 1023 to index
/// the rings), server_features, connection and error. A message is a 16-byte header
/// {type, req_id, tx_id, len} followed by at most 4096 payload bytes.
/// </summary>
public static class StoreRing
{
    public const int RingBytes = 1024;
    public const int HeaderBytes = 16;
    public const int MaxPayloadBytes = 4096;
    public const int RequestOffset = 0;
    public const int ResponseOffset = 1024;
    public const int RequestConsumerOffset = 2048;
    public const int RequestProducerOffset = 2052;
    public const int ResponseConsumerOffset = 2056;
    public const int ResponseProducerOffset = 2060;
    public const int ServerFeaturesOffset = 2064;
    public const int ConnectionOffset = 2068;
    public const int ErrorOffset = 2072;

    /// <summary>server_features bit: the store reports connection errors in the page's error field.</summary>
    public const uint FeatureErrorField = 1u << 1;

    /// <summary>The ring page's error field: the guest wrote indices that cannot be right.</summary>
    public const uint ErrorBadRingIndex = 2;

    /// <summary>The ring page's error field: the guest broke the protocol (for example a payload over 4096 bytes).</summary>
    public const uint ErrorProtocol = 3;

    public static uint Get(ReadOnlySpan<byte> page, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(page[offset..]);

    public static void Set(Span<byte> page, int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(page[offset..], value);
}

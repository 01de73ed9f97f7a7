namespace ActorVisor.Devices.Rings;

/// <summary>
/// The notification rule of Xen's shared rings: after a producer moves its index from
/// <c>oldProducer</c> to <c>newProducer</c>, it notifies the consumer only if the consumer's event
/// index lies in (old, new]. All arithmetic is on free-running 32-bit counters, so it stays
/// right when the indices wrap.
/// </summary>
public static class RingNotification
{
    public static bool ShouldNotify(uint oldProducer, uint newProducer, uint consumerEvent) =>
        unchecked(newProducer - consumerEvent) < unchecked(newProducer - oldProducer);
}

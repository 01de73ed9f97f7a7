namespace ActorVisor.Devices.Backends;

/// <summary>
/// What a back-end gets when its front-end has published its half of the connection (XenBus state
/// Initialised): the front-end's keys from its XenStore directory (ring-ref, event-channel,
/// protocol, feature-*, ...; null for a missing key), the pages it granted, and the event channel(s)
/// the host bound to the ports it named. A network front-end may name two channels
/// (event-channel-tx and event-channel-rx); <see cref="Channels"/> holds them under the key that
/// named them.
/// </summary>
public sealed record FrontendLink(
    int FrontendDomain,
    Func<string, string?> ReadKey,
    IGrantedMemory Grants,
    IReadOnlyDictionary<string, IFrontendChannel> Channels);

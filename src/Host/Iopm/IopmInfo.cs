namespace ActorVisor.Host.Iopm;

/// <summary>One IOPM's figures for the run summary.</summary>
/// <param name="DevicesServed">Devices it was given over the run (moved-away and destroyed ones included).</param>
/// <param name="BusyNs">Host time its back-ends spent servicing, in nanoseconds of the host's clock.</param>
public sealed record IopmInfo(string Name, int DomainId, int Devices, int DevicesServed, long Requests, long Errors, long Bytes, long Services, long BusyNs)
{
    /// <summary>Restarts of the IOPM as a whole by the hypervisor's supervision.</summary>
    public int Restarts { get; init; }

    /// <summary>Restarts of single back-ends by the IOPM's supervision, by device actor name.</summary>
    public IReadOnlyDictionary<string, int> BackendRestarts { get; init; } = new Dictionary<string, int>();

    /// <summary>True when it went past its restart limit and its devices were moved to other IOPMs.</summary>
    public bool Replaced { get; init; }
}

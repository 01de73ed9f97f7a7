namespace ActorVisor.Host.Iopm;

/// <summary>One IOPM's figures for the run summary.</summary>
/// <param name="DevicesServed">Devices it was given over the run (moved-away and destroyed ones included).</param>
/// <param name="BusyNs">Host time its back-ends spent servicing, in nanoseconds of the host's clock.</param>
public sealed record IopmInfo(string Name, int DomainId, int Devices, int DevicesServed, long Requests, long Errors, long Bytes, long Services, long BusyNs);

using ActorVisor.Devices.Faults;
using ActorVisor.Host.Faults;

namespace ActorVisor.Host.Iopm;

/// <summary>What an IOPM's supervision of its back-ends works with: its restart budget (per back-end), the run's fault plan and where restarts are counted.</summary>
/// <param name="MaxRestarts">Restarts of one back-end allowed within <paramref name="RestartWindowNs"/> before the IOPM itself fails.</param>
/// <param name="RestartWindowNs">The window, in virtual nanoseconds.</param>
/// <param name="WatchdogNs">How long a back-end with work unanswered may go without progress before it is restarted (0: no watchdog).</param>
public sealed record IopmSupervision(int MaxRestarts, long RestartWindowNs, IFaultSites Faults, RestartStatistics Statistics, long WatchdogNs = 0)
{
    public RestartWindow NewWindow() => new(MaxRestarts, RestartWindowNs);
}

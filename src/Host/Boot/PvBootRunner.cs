using System.Diagnostics;
using ActorVisor.Abi;
using ActorVisor.Host.Domains;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Store;

namespace ActorVisor.Host.Boot;

/// <summary>
/// Boots one PV domain and runs it to the end on the calling thread: loads and builds the kernel,
/// gives it a XenStore of its own, runs its online vCPUs in turn, a slice each, drains the console (console_io and the console ring) after each slice and
/// on every notification, fast-forwards virtual time while the guest blocks on a timer, and reports
/// how the guest ended. This is the single-domain facade behind `actorvisor boot`; `actorvisor run` uses the actor tree.
/// </summary>
public static class PvBootRunner
{
    /// <param name="options">What to boot.</param>
    /// <param name="console">Receives each console line as the guest prints it.</param>
    /// <param name="trace">Receives each hypercall as a line (the <c>--trace</c> view), or null.</param>
    public static BootResult Run(BootOptions options, Action<string>? console = null, Action<string>? trace = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var lines = new List<string>();
        void Emit(string line)
        {
            lines.Add(line);
            console?.Invoke(line);
        }

        if (options.SliceInstructions < 1)
        {
            return Refused($"a slice must be at least one instruction, got {options.SliceInstructions}", lines);
        }

        // A machine of the domain's own (no placement): nothing else runs beside it.
        var seam = new HostSeam(log: line => trace?.Invoke(line), trace: trace is null ? null : entry => trace(entry.ToString()));
        using var live = LiveDomain.TryBuild(
            options.Kernel, 1, options.MemoryMiB, options.Vcpus, options.CommandLine,
            options.NanosecondsPerInstruction, (long)(options.Seed % 1_000_000), Emit, out var error, options.Initrd, new DomainPlacement(seam, Machine: null));
        if (live is null)
        {
            return Refused(error!, lines);
        }

        var domain = live.Domain;
        var guestConsole = live.Console;
        var serviceStore = ConnectStore(seam, domain);
        var result = RunToEnd(domain, options, guestConsole, serviceStore);
        guestConsole.Flush();
        return result with { ConsoleLines = lines };
    }

    /// <summary>
    /// Gives the domain a XenStore of its own, laid out by the toolstack as xl would, with its store
    /// ring served whenever the guest notifies it; returns what to call after each slice to deliver
    /// watch events that became due.
    /// </summary>
    private static Action ConnectStore(HostSeam seam, PvDomain domain)
    {
        var pending = new PendingStoreEvents();
        var store = StoreToolstack.CreateStore(pending);
        StoreToolstack.Introduce(store, domain.Id.Value, "domain", domain.Vcpus.Count);
        var backend = new StoreBackend(store, domain);
        StoreToolstack.RouteStoreNotifications(seam.Ports, domain, backend.Port, () => backend.Service());
        return () =>
        {
            if (pending.TakeAll().Count > 0)
            {
                backend.Service();
            }
        };
    }

    /// <summary>Runs every online vCPU in turn, a slice each, until the domain ends, hangs or the time limit passes.</summary>
    private static BootResult RunToEnd(PvDomain domain, BootOptions options, GuestConsole console, Action afterSlice)
    {
        long limitNs = (long)(options.VirtualTimeout ?? BootOptions.DefaultVirtualTimeout).TotalNanoseconds;
        var stopwatch = options.WallClockTimeout is null ? null : Stopwatch.StartNew();
        long retired = 0;
        while (true)
        {
            if (domain.Clock.NowNs >= limitNs || (stopwatch is not null && stopwatch.Elapsed >= options.WallClockTimeout))
            {
                return End(domain, BootStatus.TimedOut, null, $"no shutdown after {domain.Clock.NowNs / 1_000_000} ms of virtual time", retired);
            }

            bool ran = false;
            foreach (var vcpu in domain.Vcpus)
            {
                var slice = vcpu.RunSlice(options.SliceInstructions);
                retired += slice.Retired;
                console.Drain();
                afterSlice();
                switch (slice.Outcome)
                {
                    case SliceOutcome.ShutDown:
                        return slice.Reason == ShutdownReason.Poweroff
                            ? End(domain, BootStatus.PoweredOff, slice.Reason, "the guest powered off", retired)
                            : End(domain, slice.Reason == ShutdownReason.Crash ? BootStatus.Crashed : BootStatus.ShutDown, slice.Reason, $"the guest shut down: {slice.Reason}", retired);
                    case SliceOutcome.Crashed:
                        return End(domain, BootStatus.Crashed, ShutdownReason.Crash, $"the domain crashed: {slice.Detail}", retired);
                }

                ran |= slice.Retired > 0;
            }

            if (ran)
            {
                continue;
            }

            if (!domain.Vcpus.Any(v => v.IsOnline))
            {
                return End(domain, BootStatus.Hung, null, "every vCPU went offline", retired);
            }

            var sleeper = domain.Vcpus.Where(v => v.IsOnline && v.IsBlocked && v.NextTimerDeadlineNs is not null).MinBy(v => v.NextTimerDeadlineNs);
            if (sleeper is null)
            {
                return End(domain, BootStatus.Hung, null, "the guest blocked with no timer armed and no event that could wake it", retired);
            }

            if (sleeper.NextTimerDeadlineNs >= limitNs)
            {
                domain.Clock.IdleUntil(limitNs);
                continue;
            }

            sleeper.IdleToNextDeadline();
        }
    }

    private static BootResult End(PvDomain domain, BootStatus status, ShutdownReason? reason, string detail, long retired) =>
        new(status, reason, detail, [], retired, domain.Clock.NowNs, new Dictionary<int, long>(domain.UnimplementedHypercalls));

    private static BootResult Refused(string detail, List<string> lines) =>
        new(BootStatus.Refused, null, detail, lines, 0, 0, new Dictionary<int, long>());
}

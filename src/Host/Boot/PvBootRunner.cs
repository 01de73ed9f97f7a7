using System.Diagnostics;
using ActorVisor.Abi;
using ActorVisor.Host.Domains;
using ActorVisor.Hypervisor.Pv;

namespace ActorVisor.Host.Boot;

/// <summary>
/// Boots one PV domain and runs it to the end on the calling thread: loads and builds the kernel,
/// runs vCPU 0 in slices, drains the console (console_io and the console ring) after each slice and
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

        using var live = LiveDomain.TryBuild(
            options.Kernel, 1, options.MemoryMiB, options.Vcpus, options.CommandLine,
            options.NanosecondsPerInstruction, (long)(options.Seed % 1_000_000), Emit, out var error);
        if (live is null)
        {
            return Refused(error!, lines);
        }

        var domain = live.Domain;
        var guestConsole = live.Console;
        domain.Log = line => trace?.Invoke(line);
        if (trace is not null)
        {
            domain.Trace = entry => trace(entry.ToString());
        }

        var result = RunToEnd(domain, options, guestConsole);
        guestConsole.Flush();
        return result with { ConsoleLines = lines };
    }

    private static BootResult RunToEnd(PvDomain domain, BootOptions options, GuestConsole console)
    {
        var vcpu = domain.Vcpus[0];
        long limitNs = (long)(options.VirtualTimeout ?? BootOptions.DefaultVirtualTimeout).TotalNanoseconds;
        var stopwatch = options.WallClockTimeout is null ? null : Stopwatch.StartNew();
        long retired = 0;
        while (true)
        {
            if (domain.Clock.NowNs >= limitNs || (stopwatch is not null && stopwatch.Elapsed >= options.WallClockTimeout))
            {
                return End(domain, BootStatus.TimedOut, null, $"no shutdown after {domain.Clock.NowNs / 1_000_000} ms of virtual time", retired);
            }

            var slice = vcpu.RunSlice(options.SliceInstructions);
            retired += slice.Retired;
            console.Drain();
            switch (slice.Outcome)
            {
                case SliceOutcome.ShutDown:
                    return slice.Reason == ShutdownReason.Poweroff
                        ? End(domain, BootStatus.PoweredOff, slice.Reason, "the guest powered off", retired)
                        : End(domain, slice.Reason == ShutdownReason.Crash ? BootStatus.Crashed : BootStatus.ShutDown, slice.Reason, $"the guest shut down: {slice.Reason}", retired);
                case SliceOutcome.Crashed:
                    return End(domain, BootStatus.Crashed, ShutdownReason.Crash, $"the domain crashed: {slice.Detail}", retired);
                case SliceOutcome.Offline:
                    return End(domain, BootStatus.Hung, null, "vCPU 0 went offline", retired);
                case SliceOutcome.Blocked when vcpu.IsBlocked:
                    if (vcpu.NextTimerDeadlineNs is { } deadline && deadline >= limitNs)
                    {
                        domain.Clock.IdleUntil(limitNs);
                        continue;
                    }

                    if (!vcpu.IdleToNextDeadline())
                    {
                        return End(domain, BootStatus.Hung, null, "the guest blocked with no timer armed and no event that could wake it", retired);
                    }

                    break;
            }
        }
    }

    private static BootResult End(PvDomain domain, BootStatus status, ShutdownReason? reason, string detail, long retired) =>
        new(status, reason, detail, [], retired, domain.Clock.NowNs, new Dictionary<int, long>(domain.UnimplementedHypercalls));

    private static BootResult Refused(string detail, List<string> lines) =>
        new(BootStatus.Refused, null, detail, lines, 0, 0, new Dictionary<int, long>());
}

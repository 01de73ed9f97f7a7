using System.Diagnostics;
using ActorVisor.Abi;
using ActorVisor.Hypervisor;
using ActorVisor.Hypervisor.Boot;
using ActorVisor.Host.Domains;
using ActorVisor.Hypervisor.Pv;

namespace ActorVisor.Host.Boot;

/// <summary>
/// Boots one PV domain and runs it to the end on the calling thread: loads and builds the kernel,
/// runs vCPU 0 in slices, drains the console (console_io and the console ring) after each slice and
/// on every notification, fast-forwards virtual time while the guest blocks on a timer, and reports
/// how the guest ended. This is the single-domain facade the CLI uses; the actor tree comes later.
/// </summary>
public static class PvBootRunner
{
    /// <summary>Machine frames beyond the domain's own: frame 0, shared_info, and room for hypervisor pages.</summary>
    private const int MachineOverheadMiB = 4;

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

        if (options.MemoryMiB < 1 || options.Vcpus < 1 || options.Vcpus > SharedInfoLayout.LegacyVcpuSlots || options.SliceInstructions < 1)
        {
            return Refused($"unsupported configuration: {options.MemoryMiB} MiB, {options.Vcpus} vCPUs", lines);
        }

        var parsed = XenElfLoader.Parse(options.Kernel);
        if (!parsed.Succeeded)
        {
            return Refused($"kernel refused: {parsed.Error}: {parsed.Detail}", lines);
        }

        using var machine = Machine.WithMegabytes(options.MemoryMiB + MachineOverheadMiB);
        var built = DomainBuilder.Build(machine, parsed.Image!, DomainConfig.WithMegabytes(new DomId(1), options.MemoryMiB, options.CommandLine));
        if (!built.Succeeded)
        {
            return Refused($"domain refused: {built.Error}: {built.Detail}", lines);
        }

        var wallclock = (1_767_225_600L + (long)(options.Seed % 1_000_000)) * 1_000_000_000L;
        var domain = new PvDomain(machine, built.Domain!, new PvDomainOptions(options.Vcpus, options.NanosecondsPerInstruction, wallclock));
        var guestConsole = new GuestConsole(machine, built.Domain!, domain, Emit);
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

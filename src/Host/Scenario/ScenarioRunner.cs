using ActorVisor.Actors.Deterministic;
using ActorVisor.Config.Domain;
using ActorVisor.Config.Scenario;
using ActorVisor.Config.Settings;
using ActorVisor.Host.Domains;
using Akka.Actor;
using Akka.Configuration;

namespace ActorVisor.Host.Scenario;

/// <summary>
/// Runs a scenario on the actor tree under the deterministic dispatcher: reads the kernels,
/// builds the hypervisor with the configured scheduler, plays the timeline at its virtual
/// times, runs until nothing is left to do or the scenario's stop-at time, and evaluates the
/// checks. Equal seeds give equal runs, line for line. In parallel mode the guest part of every
/// slice runs on one of the machine's physical-CPU threads (<see cref="PhysicalCpus"/>) while the
/// actors stay on the calling thread; each domain computes the same results, but the order in
/// which slices finish, and so the interleaving, varies from run to run.
/// </summary>
public static class ScenarioRunner
{
    /// <summary>Segments in deterministic mode: a preemption takes effect after at most 100 µs of virtual time.</summary>
    public const long SerialPreemptionCheckNs = 100_000;

    /// <summary>
    /// Segments in parallel mode, where a preemption also stops the running CPU at once: longer
    /// segments mean fewer hand-offs between the actor thread and the physical-CPU threads.
    /// </summary>
    public const long ParallelPreemptionCheckNs = 1_000_000;

    /// <summary>The smallest machine a run accepts: the hypervisor's own frames and room for one small domain.</summary>
    private const long MinimumMachineBytes = 4L << 20;

    /// <param name="spec">The loaded scenario.</param>
    /// <param name="seed">Overrides the scenario's seed when given.</param>
    /// <param name="output">Receives each line as it happens: console lines as <c>[d1] text</c>, the toolstack's and hypervisor's lines as <c>[toolstack] ...</c>.</param>
    /// <param name="stopAtNs">Overrides the scenario's stop-at time when given.</param>
    /// <param name="parallel">Runs slices on physical-CPU threads (as many as the scenario's machine has) instead of on the calling thread; when null, the scenario's <c>actorvisor.time.mode</c> decides.</param>
    /// <param name="trace">Receives one line per message the actor system delivers (recipient and message), the run's event trace.</param>
    /// <param name="memory">Counts the machine memory of live domains, for callers that check it is all returned.</param>
    /// <param name="devices">Makes the domains' disk and vif back-ends; the host's own (<see cref="Iopm.DeviceBackends"/>) when null.</param>
    /// <param name="inject">Fault rules from the command line (<c>--inject</c>), added to the scenario's plan after its own; rules armed at a time strike then.</param>
    public static ScenarioOutcome Run(
        ScenarioSpec spec,
        long? seed = null,
        Action<string>? output = null,
        long? stopAtNs = null,
        bool? parallel = null,
        Action<string>? trace = null,
        HostMemoryLedger? memory = null,
        Iopm.DeviceBackendFactory? devices = null,
        IReadOnlyList<Config.Faults.FaultRule>? inject = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        output ??= _ => { };
        var domains = new Dictionary<string, (DomainSpec Spec, ReadOnlyMemory<byte> Kernel, byte[]? Ramdisk)>(StringComparer.Ordinal);
        foreach (var domain in spec.Domains)
        {
            string path = Path.GetFullPath(Path.Combine(spec.BaseDirectory, domain.Kernel));
            if (!File.Exists(path))
            {
                return ScenarioOutcome.Failed($"{domain.Origin}: kernel of {domain.Name} not found: {path} (build the guests with `make -C guests`)");
            }

            byte[]? ramdisk = null;
            if (domain.Ramdisk is { Length: > 0 } ramdiskName)
            {
                string ramdiskPath = Path.GetFullPath(Path.Combine(spec.BaseDirectory, ramdiskName));
                if (!File.Exists(ramdiskPath))
                {
                    return ScenarioOutcome.Failed($"{domain.Origin}: ramdisk of {domain.Name} not found: {ramdiskPath}");
                }

                ramdisk = File.ReadAllBytes(ramdiskPath);
            }

            domains[domain.Name] = (domain, File.ReadAllBytes(path), ramdisk);
        }

        var settings = spec.Settings;
        var policy = new Scheduler.SchedulerSettings(
            KindName(settings.Scheduler.Kind),
            settings.Machine.PhysicalCpus,
            settings.Scheduler.TimesliceNs,
            settings.Scheduler.Credit.AccountingPeriodNs,
            settings.Scheduler.Bvt.ContextSwitchAllowanceNs).TryCreate(out var error);
        if (policy is null)
        {
            return ScenarioOutcome.Failed(error ?? "no scheduler");
        }

        long runSeed = seed ?? spec.Seed;
        double nsPerInstruction = 1.0 / Math.Max(1, settings.Time.InstructionsPerNs);
        var system = CreateSystem(spec, runSeed);
        var runtime = DeterministicRuntime.Of(system)!;
        try
        {
            return RunOn(system, runtime, spec, settings, policy, domains, runSeed, nsPerInstruction, output, stopAtNs, parallel, trace, memory, devices, inject ?? []);
        }
        finally
        {
            runtime.Terminate(system, TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>
    /// The scenario's actor system: Akka.NET made deterministic by src/Actors, seeded with
    /// <paramref name="seed"/>, under the <c>akka { }</c> section of reference.conf and the scenario
    /// file (one HOCON: our loader checked it, Akka's parser reads our rendering of it). Terminate
    /// it with <see cref="DeterministicRuntime.Terminate"/>.
    /// </summary>
    public static ActorSystem CreateSystem(ScenarioSpec spec, long seed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var akka = ConfigurationFactory.ParseString(AkkaSection.Render(spec.Config))
            .WithFallback(ConfigurationFactory.ParseString(PhysicalCpus.DispatcherHocon))
            .WithFallback(ConfigurationFactory.ParseString(Iopm.IopmLane.DispatcherHocon));
        return ActorSystem.Create("actorvisor", DeterministicConfig.Apply(seed, akka));
    }

    private static ScenarioOutcome RunOn(
        ActorSystem system,
        DeterministicRuntime runtime,
        ScenarioSpec spec,
        ActorVisorSettings settings,
        Scheduler.ISchedulerPolicy policy,
        Dictionary<string, (DomainSpec Spec, ReadOnlyMemory<byte> Kernel, byte[]? Ramdisk)> domains,
        long runSeed,
        double nsPerInstruction,
        Action<string> output,
        long? stopAtNs,
        bool? parallel,
        Action<string>? trace,
        HostMemoryLedger? memory,
        Iopm.DeviceBackendFactory? devices,
        IReadOnlyList<Config.Faults.FaultRule> inject)
    {
        var console = new List<ConsoleLinePrinted>();
        var checks = new List<CheckOutcome>();
        if (trace is not null)
        {
            // Akka's own actors (/system) are left out: some are named from counters global to the process.
            runtime.Delivered += (recipient, message) =>
            {
                string path = recipient.Path.ToStringWithoutAddress();
                if (path.StartsWith("/user/", StringComparison.Ordinal))
                {
                    trace($"{VirtualClock.Nanoseconds(runtime.Now)} {path} <- {DeterministicRuntime.TraceText(message)}");
                }
            };
        }

        // Disposed after the physical-CPU threads (declared before them): a slice may end after the actors stopped.
        if (settings.Machine.MemoryBytes < MinimumMachineBytes)
        {
            return ScenarioOutcome.Failed($"actorvisor.machine.memory = {settings.Machine.MemoryBytes} bytes is too small for a machine (at least {MinimumMachineBytes >> 20} MiB)");
        }

        using var machine = new Hypervisor.Machine((ulong)(settings.Machine.MemoryBytes >> 12));
        using var cpus = (parallel ?? settings.Time.Mode == TimeMode.Parallel) ? new PhysicalCpus(system, settings.Machine.PhysicalCpus) : null;
        var iopms = new Iopm.IopmReport();
        var plan = FaultPlan(spec, inject);
        var faults = new Faults.FaultSites(plan, runSeed, () => VirtualClock.Nanoseconds(system.Scheduler), output);
        var channels = EventChannelPair.FromCommandLines(spec.Domains.Select(d => (d.Name, d.Cmdline)));
        var options = new HypervisorOptions(
            policy,
            new SchedulerOptions(settings.Machine.PhysicalCpus, nsPerInstruction, cpus is null ? SerialPreemptionCheckNs : ParallelPreemptionCheckNs),
            runSeed,
            line =>
            {
                console.Add(line);
                output($"[{line.Domain}] {line.Text}");
            },
            line => output($"[hypervisor] {line}"),
            Channels: channels,
            Memory: memory,
            Cpus: cpus,
            Machine: machine,
            Iopms: spec.Iopms,
            Devices: devices,
            DeviceDirectory: spec.BaseDirectory,
            IopmReport: iopms,
            Faults: faults);
        var hypervisor = system.ActorOf(Props.Create(() => new HypervisorActor(options)), "hypervisor");
        var timeline = system.ActorOf(Props.Create(() => new TimelineActor(hypervisor, domains, line => output($"[toolstack] {line}"), checks)), "toolstack");
        foreach (var action in spec.Timeline)
        {
            system.Scheduler.ScheduleTellOnce(VirtualClock.At(action.AtNs), timeline, action, ActorRefs.NoSender);
        }

        // The faults list's and the command line's strikes act at their time, as the timeline's inject actions do.
        foreach (var strike in plan.Where(r => r.IsStrike && !spec.Timeline.OfType<InjectRule>().Any(i => ReferenceEquals(i.Rule, r))))
        {
            long at = strike.FromNs ?? 0;
            system.Scheduler.ScheduleTellOnce(VirtualClock.At(at), timeline, new InjectRule(at, strike.Origin, strike), ActorRefs.NoSender);
        }

        foreach (var check in spec.Checks.OfType<DomainStateCheck>().Where(c => c.AtNs is not null))
        {
            system.Scheduler.ScheduleTellOnce(VirtualClock.At(check.AtNs!.Value), timeline, check, ActorRefs.NoSender);
        }

        var stopAt = VirtualClock.At(stopAtNs ?? spec.StopAtNs);
        Drive(runtime, cpus);
        while (runtime.NextTimerDue is { } next && next <= stopAt)
        {
            runtime.AdvanceTo(next);
            Drive(runtime, cpus);
        }

        long endNs = VirtualClock.Nanoseconds(runtime.Now);
        var listing = hypervisor.Ask<DomainsListed>(new ListDomains(), TimeSpan.FromSeconds(1));
        runtime.RunUntilIdle();
        var final = listing.Result.Domains;

        // Checks are judged once the hypervisor has stopped with its IOPMs: every device connection
        // has ended by then and counted what it left unanswered (no-io-lost).
        var stopped = hypervisor.WatchAsync();
        system.Stop(hypervisor);
        DriveUntilStopped(runtime, cpus, stopped);
        var unanswered = iopms.UnansweredByDomain();
        foreach (var check in spec.Checks)
        {
            switch (check)
            {
                case ConsoleLineCheck line:
                    checks.Add(Checks.Evaluate(line, console));
                    break;
                case DomainStateCheck { AtNs: null } state:
                    checks.Add(Checks.Evaluate(state, final));
                    break;
                case DomainStateCheck { AtNs: { } at } timed when at > endNs:
                    checks.Add(new CheckOutcome($"{timed.Domain} is {timed.State.ToString().ToLowerInvariant()} at {Checks.FormatNs(at)}", false, $"the run ended at {Checks.FormatNs(endNs)}, before that time"));
                    break;
                case DomainStateCheck:
                    break;
                case NoIoLostCheck noIoLost:
                    checks.Add(Checks.Evaluate(noIoLost, final, unanswered));
                    break;
                default:
                    checks.Add(new CheckOutcome($"{check.GetType().Name} ({check.Origin})", false, "not supported yet"));
                    break;
            }
        }

        memory?.RecordMachine(machine);
        return new ScenarioOutcome(final, checks, console, endNs, settings.Machine.PhysicalCpus, null) { Iopms = iopms.Snapshot(), Parallel = cpus is not null, Faults = faults.Records };
    }

    /// <summary>
    /// The run's fault plan in plan order: the scenario's faults list, its timeline's inject rules,
    /// then the command line's, numbered on from the scenario's (rule k+1, ...).
    /// </summary>
    public static IReadOnlyList<Config.Faults.FaultRule> FaultPlan(ScenarioSpec spec, IReadOnlyList<Config.Faults.FaultRule> inject)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(inject);
        var plan = spec.Faults.Concat(spec.Timeline.OfType<InjectRule>().Select(i => i.Rule)).ToList();
        int first = plan.Count;
        plan.AddRange(inject.Select((rule, i) => rule with { Name = $"rule {first + i + 1}" }));
        return plan;
    }

    /// <summary>Runs the actors until they are idle and, in parallel mode, no slice is left running on a physical-CPU thread.</summary>
    private static void Drive(DeterministicRuntime runtime, PhysicalCpus? cpus)
    {
        do
        {
            runtime.RunUntilIdle();
        }
        while (cpus?.WaitForWork() == true);
    }

    /// <summary>
    /// Drives the system until the actor watched by <paramref name="stopped"/> has stopped with all its children. In
    /// parallel runs the IOPMs' actors stop on their own threads and their stop is not counted work
    /// (system messages), so the driver alone could return while a device actor has not yet run
    /// its PostStop (its device still counted as served). Bounded: after <see cref="StopWait"/> of
    /// host time it gives up and the summary shows what had stopped by then.
    /// </summary>
    private static void DriveUntilStopped(DeterministicRuntime runtime, PhysicalCpus? cpus, Task stopped)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        Drive(runtime, cpus);
        while (cpus is not null && !stopped.IsCompleted && deadline.Elapsed < StopWait)
        {
            Thread.Sleep(1);
            Drive(runtime, cpus);
        }
    }

    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(10);

    private static string KindName(SchedulerKind kind) => kind switch
    {
        SchedulerKind.Credit => "credit",
        SchedulerKind.Bvt => "bvt",
        _ => "round-robin",
    };
}

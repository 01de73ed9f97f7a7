using ActorVisor.Actors;
using ActorVisor.Config;
using ActorVisor.Config.Domain;
using ActorVisor.Host.Domains;
using ActorVisor.Scheduler;

namespace ActorVisor.Host.Bench;

/// <summary>
/// The hypervisor actor driven directly, as the scenario runner drives it: the deterministic
/// dispatcher for the actors and, in parallel mode, one thread per physical CPU for the slices.
/// </summary>
internal sealed class HostDriver : IDisposable
{
    private readonly ActorSystem _system;
    private readonly IActorRef _hypervisor;
    private readonly Hypervisor.Machine _machine = Hypervisor.Machine.WithMegabytes(HypervisorOptions.DefaultMachineMiB);

    public HostDriver(ISchedulerPolicy policy, int physicalCpus, bool parallel, Action<ConsoleLinePrinted>? console = null, IReadOnlyList<EventChannelPair>? channels = null)
    {
        _system = ActorSystem.Create("bench", ActorSystemOptions.Deterministic(1));
        Cpus = parallel ? new PhysicalCpus(physicalCpus) : null;
        var options = new HypervisorOptions(policy, new SchedulerOptions(physicalCpus, 1.0, parallel ? Scenario.ScenarioRunner.ParallelPreemptionCheckNs : Scenario.ScenarioRunner.SerialPreemptionCheckNs), 1, console ?? (_ => { }), _ => { }, Channels: channels, Memory: Memory, Cpus: Cpus, Machine: _machine);
        _hypervisor = _system.ActorOf(Props.Create(() => new HypervisorActor(options)), "hypervisor");
    }

    public HostMemoryLedger Memory { get; } = new();

    public PhysicalCpus? Cpus { get; }

    public DeterministicRuntime Runtime => _system.Deterministic!;

    public long NowNs => Runtime.Now.Ticks * 100;

    public object Ask(object message)
    {
        var reply = _hypervisor.Ask(message, TimeSpan.FromMinutes(1));
        Drive();
        return reply.Result;
    }

    public IReadOnlyList<DomainInfo> List() => ((DomainsListed)Ask(new ListDomains())).Domains;

    /// <summary>Runs the actors until idle and no slice is running on a physical-CPU thread.</summary>
    public void Drive()
    {
        do
        {
            Runtime.RunUntilIdle();
        }
        while (Cpus?.WaitForWork() == true);
    }

    /// <summary>Moves virtual time from timer to timer until <paramref name="done"/> holds or the next timer is past <paramref name="limitNs"/>.</summary>
    public void RunUntil(Func<bool> done, long limitNs)
    {
        Drive();
        while (!done() && Runtime.NextTimerDue is { } next && next.Ticks * 100 <= limitNs)
        {
            Runtime.AdvanceTo(next);
            Drive();
        }
    }

    public void Dispose()
    {
        _system.Stop(_hypervisor);
        Drive();
        _system.Dispose();
        Cpus?.Dispose();
        _machine.Dispose();
    }

    public static DomainSpec Spec(string name, int megabytes, string cmdline) => new(
        name,
        DomainType.Pv,
        name + ".elf",
        null,
        cmdline,
        (long)megabytes << 20,
        (long)megabytes << 20,
        1,
        new SchedulerParameters(256, 0),
        [],
        [],
        LifecycleAction.Destroy,
        LifecycleAction.Destroy,
        LifecycleAction.Destroy,
        new ConfigOrigin("<bench>", 1, 1));
}

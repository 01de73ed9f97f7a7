using ActorVisor.Config.Domain;
using ActorVisor.Hypervisor;
using ActorVisor.Scheduler;
using Akka.Actor;

namespace ActorVisor.Host.Domains;

/// <summary>
/// The root of the host tree (/user/hypervisor). It answers the toolstack's messages (create,
/// unpause, pause, destroy, set memory, list) with typed replies, refusing an operation the domain's state
/// does not allow with <see cref="NotAllowed"/>; owns the <see cref="SchedulerActor"/> and one
/// <see cref="DomainActor"/> per domain (dom&lt;id&gt;); applies each domain's on_poweroff,
/// on_reboot and on_crash policy when its guest stops; and stops a domain whose actors failed
/// with a host exception, logging the failure, while every other domain keeps running. As the
/// toolstack it also sets up the interdomain event channels of <see cref="HypervisorOptions.Channels"/>
/// (see <see cref="EventChannelPair"/>), and it delivers every interdomain send to the peer
/// domain while none of the peer's slices runs.
/// </summary>
public sealed partial class HypervisorActor : ReceiveActor
{
    private readonly HypervisorOptions _options;
    private readonly IActorRef _scheduler;
    private readonly List<DomainRecord> _records = [];
    private readonly Dictionary<int, string> _failures = [];
    private readonly HostMemoryLedger _memory;
    private readonly Machine _machine;
    private readonly bool _ownsMachine;
    private readonly IActorRef _self;
    private int _nextId = 1;

    public HypervisorActor(HypervisorOptions options)
    {
        _options = options;
        _memory = options.Memory ?? new HostMemoryLedger();
        if (options.Machine is null && options.Cpus is not null)
        {
            throw new ArgumentException("in parallel mode the caller owns the machine (slices may outlive the actors)", nameof(options));
        }

        _ownsMachine = options.Machine is null;
        _machine = options.Machine ?? Machine.WithMegabytes(HypervisorOptions.DefaultMachineMiB);

        _store = StoreToolstack.CreateStore(_storeEventsPending);
        _self = Self;
        _strategy = NewStrategy();
        StartIopms();
        _scheduler = Context.ActorOf(Props.Create(() => new SchedulerActor(options.Policy, options.Scheduler)), "scheduler");
        Receive<Create>(OnCreate);
        Receive<Unpause>(u => Transition(u.Domain, DomainEvent.Unpause, u, new Unpaused(u.Domain)));
        Receive<Pause>(p => Transition(p.Domain, DomainEvent.Pause, p, new Paused(p.Domain)));
        Receive<Destroy>(OnDestroy);
        Receive<SetMemory>(OnSetMemory);
        Receive<RequestShutdown>(OnRequestShutdown);
        Receive<DeliverStoreEvents>(_ => OnDeliverStoreEvents());
        Receive<InjectHostFault>(OnInjectHostFault);
        Receive<Iopm.MoveDevice>(OnMoveDevice);
        Receive<Iopm.InjectIopmFault>(OnInjectIopmFault);
        Receive<Faults.RestartLater>(OnRestartLater);
        Receive<ReplaceIopm>(OnReplaceIopm);
        Receive<ListDomains>(_ => Sender.Tell(new DomainsListed(_records.Select(r => r.Info()).ToList()), Self));
        Receive<GuestStopped>(OnGuestStopped);
        Receive<Terminated>(OnTerminated);
    }

    /// <summary>
    /// A failed domain actor is stopped; a host fault names its domain, whose crash is handled when the
    /// actor has terminated. Akka's own failure log is off: the failure is logged here with the domain
    /// (Akka's log line carries the host's clock). A failed IOPM is restarted or replaced
    /// (HypervisorActor.Supervision.cs).
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() => _strategy;

    private Directive DecideDomain(Exception failure)
    {
        if (failure is HostFaultException { DomainId: { } id })
        {
            _failures[id] = failure.Message;
        }
        else
        {
            _options.Log($"a domain actor failed with a host exception that names no domain: {failure.Message}");
        }

        return Directive.Stop;
    }

    protected override void PostStop()
    {
        StopIopms();

        // Only without physical-CPU threads: then no slice can outlast the domain actors, which freed their memory before this runs.
        if (_ownsMachine)
        {
            _machine.Dispose();
        }
    }

    private DomainRecord? Find(string name) => _records.LastOrDefault(r => r.Name == name);

    private void OnCreate(Create create)
    {
        if (Find(create.Spec.Name) is { State: not DomainState.Destroyed } existing)
        {
            Sender.Tell(new NotAllowed($"domain {create.Spec.Name} exists already ({existing.State.ToString().ToLowerInvariant()})"), Self);
            return;
        }

        var record = new DomainRecord(create.Spec, create.Kernel, create.Ramdisk);
        if (Build(record) is { } error)
        {
            Sender.Tell(new NotAllowed($"cannot create {create.Spec.Name}: {error}"), Self);
            return;
        }

        record.State = DomainState.Paused;
        _records.Add(record);
        Sender.Tell(new Created(record.Name, record.Id), Self);
    }

    /// <summary>Builds a new incarnation of the record's domain, paused; returns the reason when the build is refused.</summary>
    private string? Build(DomainRecord record)
    {
        int id = record.Restarts == 0 && _reservedIds.Remove(record.Name, out int reserved) ? reserved : _nextId++;
        if (PlanDevices(record.Spec, id, out var devices) is { } deviceError)
        {
            return deviceError;
        }

        PvDomainHolder holder = new();
        var channels = PlanChannels(record.Name, id);
        var live = LiveDomain.TryBuild(
            record.Spec with { Cmdline = channels.CommandLine(record.Spec.Cmdline) },
            record.Kernel,
            id,
            _options.Scheduler.NanosecondsPerInstruction,
            _options.Seed + id,
            line => _options.Console(new ConsoleLinePrinted(record.Name, holder.Live?.Domain.Clock.NowNs ?? 0, line)),
            out var error,
            record.Ramdisk,
            new DomainPlacement(_seam, _machine, channels.Unbound));
        if (live is null)
        {
            DisposeAll(devices);
            return error;
        }

        holder.Live = live;
        CommitChannels(record.Name, id, channels);
        ConnectToStore(record.Name, id, live);
        AttachDevices(id, devices);
        _memory.Add(live);
        var cpus = _options.Cpus;
        var parameters = new SchedulingParameters(record.Spec.Scheduler.Weight, record.Spec.Scheduler.CapPercent);
        var counters = record.Counters;
        record.Live = live;
        record.Id = id;
        record.Actor = Context.ActorOf(Props.Create(() => new DomainActor(live, _scheduler, counters, parameters, cpus)), $"dom{id}");
        record.ExitReason = null;
        Context.Watch(record.Actor);
        return null;
    }

    private void Transition(string name, DomainEvent domainEvent, object command, object reply)
    {
        var record = Find(name);
        if (record is null || record.Actor is null || !DomainLifecycle.TryNext(record.State, domainEvent, out var to))
        {
            Sender.Tell(new NotAllowed(Refusal(command, name, record)), Self);
            return;
        }

        record.Actor.Tell(command, Self);
        record.State = to;
        Sender.Tell(reply, Self);
    }

    private static string Refusal(object command, string name, DomainRecord? record)
    {
        string verb = command switch
        {
            InjectHostFault => "inject a host fault into",
            SetMemory => "set the memory of",
            RequestShutdown { Reboot: true } => "reboot",
            RequestShutdown => "shut down",
            _ => command.GetType().Name.ToLowerInvariant(),
        };
        return record is null
            ? $"cannot {verb} {name}: no such domain"
            : $"cannot {verb} {name}: it is {record.State.ToString().ToLowerInvariant()}";
    }

    private void OnDestroy(Destroy destroy)
    {
        var record = Find(destroy.Domain);
        if (record is null || !DomainLifecycle.TryNext(record.State, DomainEvent.Destroy, out var destroyed))
        {
            Sender.Tell(new NotAllowed(Refusal(destroy, destroy.Domain, record)), Self);
            return;
        }

        record.ExitReason ??= "destroyed by the toolstack";
        Retire(record);
        record.State = destroyed;
        Sender.Tell(new Destroyed(destroy.Domain), Self);
    }

    private void OnSetMemory(SetMemory set)
    {
        var record = Find(set.Domain);
        if (record?.Live is not { } live || !DomainLifecycle.IsLive(record.State))
        {
            Sender.Tell(new NotAllowed(Refusal(set, set.Domain, record)), Self);
            return;
        }

        var reservation = live.Domain.Reservation;
        ulong pages = (ulong)Math.Max(0, set.MaxBytes) >> 12;
        if (pages < reservation.CurrentPages)
        {
            Sender.Tell(new NotAllowed($"cannot set the memory of {set.Domain} to {pages} pages: it holds {reservation.CurrentPages}"), Self);
            return;
        }

        // In parallel mode a slice of the domain may be running: the ceiling changes between its slices.
        live.Exclusive(() => reservation.TrySetMaximumPages(Math.Max(pages, reservation.CurrentPages)));
        Sender.Tell(new MemorySet(set.Domain, (long)pages << 12), Self);
    }

    private void OnInjectHostFault(InjectHostFault inject)
    {
        var record = Find(inject.Domain);
        if (record?.Actor is null || !DomainLifecycle.IsLive(record.State))
        {
            Sender.Tell(new NotAllowed(Refusal(inject, inject.Domain, record)), Self);
            return;
        }

        record.Actor.Tell(inject, Self);
        Sender.Tell(new HostFaultArmed(inject.Domain), Self);
    }

    /// <summary>Stops the record's domain actor on purpose (its termination is then no failure) and keeps its final figures.</summary>
    private void Retire(DomainRecord record)
    {
        _liveById.TryRemove(record.Id, out _);
        DetachDevices(record.Id);
        DisconnectFromStore(record.Id);
        if (record.Actor is { } actor)
        {
            Context.Unwatch(actor);
            Context.Stop(actor);
        }

        record.Freeze();
    }

    private void OnGuestStopped(GuestStopped stopped)
    {
        var record = _records.FirstOrDefault(r => r.Id == stopped.DomainId && r.Actor is not null);
        if (record is null || !DomainLifecycle.TryNext(record.State, stopped.Crashed ? DomainEvent.GuestCrash : DomainEvent.GuestShutdown, out var next))
        {
            return;
        }

        record.State = next;
        record.ExitReason = stopped.Crashed ? $"crash: {stopped.Detail}" : stopped.Reason.ToString().ToLowerInvariant();
        var action = stopped.Crashed ? record.Spec.OnCrash
            : stopped.Reason == Abi.ShutdownReason.Reboot ? record.Spec.OnReboot
            : record.Spec.OnPoweroff;
        Apply(record, action);
    }

    private void OnTerminated(Terminated terminated)
    {
        var record = _records.FirstOrDefault(r => ReferenceEquals(r.Actor, terminated.ActorRef) || r.Actor?.Path == terminated.ActorRef.Path);
        if (record is null)
        {
            return;
        }

        string failure = _failures.Remove(record.Id, out var reason) ? reason : "stopped unexpectedly";
        _options.Log($"{terminated.ActorRef.Path} failed and was stopped: {failure}");
        _liveById.TryRemove(record.Id, out _);
        DetachDevices(record.Id);
        record.Actor = null;
        record.Freeze();
        if (!DomainLifecycle.TryNext(record.State, DomainEvent.HostFault, out var crashed))
        {
            return;
        }

        record.State = crashed;
        record.ExitReason = $"host fault: {failure}";
        Apply(record, record.Spec.OnCrash);
    }

    private void Apply(DomainRecord record, LifecycleAction action)
    {
        switch (action)
        {
            case LifecycleAction.Destroy or LifecycleAction.CoredumpDestroy:
                Retire(record);
                Move(record, DomainEvent.Destroy);
                _options.Log($"{record.Name} {record.ExitReason}; destroyed");
                break;
            case LifecycleAction.Restart or LifecycleAction.CoredumpRestart when record.Restarts < _options.MaxRestarts:
                Retire(record);
                record.Restarts++;
                string reason = record.ExitReason ?? "";
                if (Build(record) is { } error)
                {
                    Move(record, DomainEvent.Destroy);
                    record.ExitReason = $"{reason}; restart refused: {error}";
                    _options.Log($"{record.Name} could not be restarted: {error}");
                    break;
                }

                _options.Log($"{record.Name} {reason}; restarted as dom{record.Id}");
                record.Actor!.Tell(new Unpause(record.Name), Self);
                Move(record, DomainEvent.Restart);
                break;
            default:
                record.Freeze();
                _options.Log($"{record.Name} {record.ExitReason}; preserved{(action == LifecycleAction.Preserve ? "" : $" ({action} is not supported, or the restart limit was reached)")}");
                break;
        }
    }

    /// <summary>Applies a transition the hypervisor itself decided on; one the table refuses is a bug of ours.</summary>
    private static void Move(DomainRecord record, DomainEvent domainEvent)
    {
        if (!DomainLifecycle.TryNext(record.State, domainEvent, out var next))
        {
            throw new InvalidOperationException($"{record.Name}: {domainEvent} is not a transition from {record.State}");
        }

        record.State = next;
    }

    /// <summary>Lets a domain's console emitter read the clock of the domain it is built into.</summary>
    private sealed class PvDomainHolder
    {
        public LiveDomain? Live { get; set; }
    }
}

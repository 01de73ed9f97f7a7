using ActorVisor.Config.Domain;
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
    private readonly Queue<string> _failures = new();
    private readonly HostMemoryLedger _memory;
    private readonly IActorRef _self;
    private int _nextId = 1;

    public HypervisorActor(HypervisorOptions options)
    {
        _options = options;
        _memory = options.Memory ?? new HostMemoryLedger();
        _self = Self;
        _scheduler = Context.ActorOf(Props.Create(() => new SchedulerActor(options.Policy, options.Scheduler)), "scheduler");
        Receive<Create>(OnCreate);
        Receive<Unpause>(u => Transition(u.Domain, DomainState.Paused, u, DomainState.Running, new Unpaused(u.Domain)));
        Receive<Pause>(p => Transition(p.Domain, DomainState.Running, p, DomainState.Paused, new Paused(p.Domain)));
        Receive<Destroy>(OnDestroy);
        Receive<SetMemory>(OnSetMemory);
        Receive<RequestShutdown>(OnRequestShutdown);
        Receive<DeliverStoreEvents>(_ => OnDeliverStoreEvents());
        Receive<InjectHostFault>(OnInjectHostFault);
        Receive<ListDomains>(_ => Sender.Tell(new DomainsListed(_records.Select(r => r.Info()).ToList()), Self));
        Receive<GuestStopped>(OnGuestStopped);
        Receive<Terminated>(OnTerminated);
    }

    // Akka's own failure log is off: the failure is logged here with the domain (Akka's log line carries the host's clock).
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(
        failure =>
        {
            _failures.Enqueue(failure.Message);
            return Directive.Stop;
        },
        loggingEnabled: false);

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

        _records.Add(record);
        Sender.Tell(new Created(record.Name, record.Id), Self);
    }

    /// <summary>Builds a new incarnation of the record's domain, paused; returns the reason when the build is refused.</summary>
    private string? Build(DomainRecord record)
    {
        int id = record.Restarts == 0 && _reservedIds.Remove(record.Name, out int reserved) ? reserved : _nextId++;
        PvDomainHolder holder = new();
        var live = LiveDomain.TryBuild(
            record.Spec,
            record.Kernel,
            id,
            _options.Scheduler.NanosecondsPerInstruction,
            _options.Seed + id,
            line => _options.Console(new ConsoleLinePrinted(record.Name, holder.Live?.Domain.Clock.NowNs ?? 0, line)),
            out var error,
            record.Ramdisk);
        if (live is null)
        {
            return error;
        }

        holder.Live = live;
        ConnectToPeers(live);
        if (SetUpChannels(record.Name, id, live) is { } channelError)
        {
            live.Dispose();
            return channelError;
        }

        _liveById[id] = live;
        ConnectToStore(record.Name, id, live);
        _memory.Add(live);
        var cpus = _options.Cpus;
        var parameters = new SchedulingParameters(record.Spec.Scheduler.Weight, record.Spec.Scheduler.CapPercent);
        var counters = record.Counters;
        record.Live = live;
        record.Id = id;
        record.Actor = Context.ActorOf(Props.Create(() => new DomainActor(live, _scheduler, counters, parameters, cpus)), $"dom{id}");
        record.State = DomainState.Paused;
        record.ExitReason = null;
        Context.Watch(record.Actor);
        return null;
    }

    private void Transition(string name, DomainState from, object command, DomainState to, object reply)
    {
        var record = Find(name);
        if (record is null || record.State != from || record.Actor is null)
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
        if (record is null || record.State == DomainState.Destroyed)
        {
            Sender.Tell(new NotAllowed(Refusal(destroy, destroy.Domain, record)), Self);
            return;
        }

        record.ExitReason ??= "destroyed by the toolstack";
        Retire(record);
        record.State = DomainState.Destroyed;
        Sender.Tell(new Destroyed(destroy.Domain), Self);
    }

    private void OnSetMemory(SetMemory set)
    {
        var record = Find(set.Domain);
        if (record?.Live is not { } live || record.State is not (DomainState.Running or DomainState.Paused))
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
        if (record?.Actor is null || record.State is not (DomainState.Running or DomainState.Paused))
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
        if (record is null || record.State is DomainState.Shutdown or DomainState.Crashed or DomainState.Destroyed)
        {
            return;
        }

        record.State = stopped.Crashed ? DomainState.Crashed : DomainState.Shutdown;
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

        string failure = _failures.Count > 0 ? _failures.Dequeue() : "stopped unexpectedly";
        _options.Log($"{terminated.ActorRef.Path} failed and was stopped: {failure}");
        _liveById.TryRemove(record.Id, out _);
        record.Actor = null;
        record.Freeze();
        record.State = DomainState.Crashed;
        record.ExitReason = $"host fault: {failure}";
        Apply(record, record.Spec.OnCrash);
    }

    private void Apply(DomainRecord record, LifecycleAction action)
    {
        switch (action)
        {
            case LifecycleAction.Destroy or LifecycleAction.CoredumpDestroy:
                Retire(record);
                record.State = DomainState.Destroyed;
                _options.Log($"{record.Name} {record.ExitReason}; destroyed");
                break;
            case LifecycleAction.Restart or LifecycleAction.CoredumpRestart when record.Restarts < _options.MaxRestarts:
                Retire(record);
                record.Restarts++;
                string reason = record.ExitReason ?? "";
                if (Build(record) is { } error)
                {
                    record.State = DomainState.Destroyed;
                    record.ExitReason = $"{reason}; restart refused: {error}";
                    _options.Log($"{record.Name} could not be restarted: {error}");
                    break;
                }

                _options.Log($"{record.Name} {reason}; restarted as dom{record.Id}");
                record.Actor!.Tell(new Unpause(record.Name), Self);
                record.State = DomainState.Running;
                break;
            default:
                record.Freeze();
                _options.Log($"{record.Name} {record.ExitReason}; preserved{(action == LifecycleAction.Preserve ? "" : $" ({action} is not supported, or the restart limit was reached)")}");
                break;
        }
    }

    /// <summary>Lets a domain's console emitter read the clock of the domain it is built into.</summary>
    private sealed class PvDomainHolder
    {
        public LiveDomain? Live { get; set; }
    }
}

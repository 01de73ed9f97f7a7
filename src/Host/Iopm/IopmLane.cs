using System.Collections.Concurrent;
using ActorVisor.Host.Domains;
using Akka.Actor;
using Akka.Event;

namespace ActorVisor.Host.Iopm;

/// <summary>
/// How messages reach the IOPMs' actors. In deterministic runs they are plain tells on the loop. In
/// parallel runs the IOPMs' actors run on their own threads (Akka's pinned dispatcher,
/// <see cref="DispatcherId"/>): each message is counted as running work of the
/// <see cref="PhysicalCpus"/> until the actor has handled it (<see cref="Counted"/>), so that the
/// driver does not move virtual time or end the run while an IOPM is still serving a request, and
/// what those threads send to loop actors is queued for the driver.
/// </summary>
public sealed class IopmLane
{
    /// <summary>The dispatcher of the IOPMs' actors in parallel runs: a dedicated thread per actor.</summary>
    public const string DispatcherId = "akka.actor.iopm-dispatcher";

    /// <summary>Its settings, as reference.conf has them, for systems built without a scenario.</summary>
    public const string DispatcherHocon = DispatcherId + " { type = PinnedDispatcher, throughput = 1, shutdown-timeout = 0s }";

    private readonly PhysicalCpus? _cpus;
    private readonly ConcurrentDictionary<ActorPath, int> _held = new();

    /// <param name="cpus">The physical CPUs of a parallel run, or null for a deterministic one.</param>
    /// <param name="system">The actor system; in parallel runs a counted message that ends in dead letters (its actor stopped) is ended by a listener there.</param>
    public IopmLane(PhysicalCpus? cpus, ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        _cpus = cpus;
        if (cpus is not null)
        {
            var listener = system.ActorOf(Props.Create(() => new DeadCountedListener(this)).WithDispatcher(DispatcherId));
            system.EventStream.Subscribe(listener, typeof(DeadLetter));
        }
    }

    /// <summary>True when IOPMs run on threads of their own.</summary>
    public bool Parallel => _cpus is not null;

    /// <summary>Props placed on the IOPMs' dispatcher in parallel runs, on the loop otherwise.</summary>
    public Props Place(Props props)
    {
        ArgumentNullException.ThrowIfNull(props);
        return _cpus is null ? props : props.WithDispatcher(DispatcherId);
    }

    /// <summary>Sends <paramref name="message"/> to an IOPM-side actor, counted in parallel runs.</summary>
    public void Tell(IActorRef target, object message)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (_cpus is null)
        {
            target.Tell(message, ActorRefs.NoSender);
            return;
        }

        _cpus.BeginOffLoopWork();
        target.Tell(new Counted(message), ActorRefs.NoSender);
    }

    /// <summary>Sends from an IOPM-side actor to a loop actor (the hypervisor): queued for the driver in parallel runs.</summary>
    public void TellLoop(IActorRef target, object message)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (_cpus is null)
        {
            target.Tell(message, ActorRefs.NoSender);
        }
        else
        {
            _cpus.Post(target, message, ActorRefs.NoSender);
        }
    }

    /// <summary>Ends the counted work of one message; called by the receiving actor after handling it.</summary>
    internal void Done() => _cpus?.EndOffLoopWork();

    /// <summary>
    /// An IOPM-side actor failed on a counted message: its work stays counted (held) until its
    /// supervisor has resumed or stopped it, or, when it is restarted (or escalated, so restarted
    /// with its supervisor), until its new incarnation has started (<see cref="IopmSideActor.AroundPostRestart"/>), so
    /// that the driver neither moves virtual time nor ends the run between the failure and the
    /// device's recovery: Akka sends the failure, the decision and the restart as system messages,
    /// which are not counted.
    /// </summary>
    internal void Failed(IActorRef actor) => Hold(actor);

    /// <summary>The supervisor decided on <paramref name="child"/>: a resume or a stop ends its held work; a restart or an escalation keeps it until the restart.</summary>
    public void FailureDecided(IActorRef child, Directive directive)
    {
        ArgumentNullException.ThrowIfNull(child);
        if (directive is Directive.Resume or Directive.Stop)
        {
            Release(child);
        }
    }

    /// <summary>Counts the coming restart of <paramref name="actor"/> (a child the restarted IOPM keeps, which Akka restarts after it) as running work.</summary>
    internal void Hold(IActorRef actor)
    {
        if (_cpus is not null)
        {
            _cpus.BeginOffLoopWork();
            _held.AddOrUpdate(actor.Path, 1, (_, n) => n + 1);
        }
    }

    /// <summary>The actor's new incarnation has started, or the actor stopped: what was held for it ends.</summary>
    internal void Release(IActorRef actor)
    {
        if (_cpus is not null && _held.TryRemove(actor.Path, out int held))
        {
            for (int i = 0; i < held; i++)
            {
                _cpus.EndWork();
            }
        }
    }

    /// <summary>A message counted as running work until handled.</summary>
    internal sealed record Counted(object Message);

    /// <summary>Ends the work of counted messages whose actor had stopped (they went to dead letters), so that the driver does not wait for them.</summary>
    private sealed class DeadCountedListener : ReceiveActor
    {
        public DeadCountedListener(IopmLane lane) => Receive<DeadLetter>(dead =>
        {
            if (dead.Message is Counted)
            {
                lane.Done();
            }
        });
    }
}

/// <summary>An actor on the IOPM side: unwraps counted messages and ends their work once handled.</summary>
public abstract class IopmSideActor : ReceiveActor
{
    protected IopmSideActor(IopmLane lane) => Lane = lane;

    protected IopmLane Lane { get; }

    protected override bool AroundReceive(Receive receive, object message)
    {
        if (message is not IopmLane.Counted counted)
        {
            return base.AroundReceive(receive, message);
        }

        PhysicalCpus.MarkOffLoopThread();
        bool handled = false;
        try
        {
            bool result = base.AroundReceive(receive, counted.Message);
            handled = true;
            return result;
        }
        finally
        {
            if (handled)
            {
                Lane.Done();
            }
            else
            {
                // Held before the message's own work ends, so that the count never drops to zero in between.
                Lane.Failed(Self);
                Lane.Done();
            }
        }
    }

    /// <summary>A restarted actor has started again (its PostRestart has sent what it needs, counted): what was held for its failure ends.</summary>
    public override void AroundPostRestart(Exception cause, object message)
    {
        try
        {
            base.AroundPostRestart(cause, message);
        }
        finally
        {
            Lane.Release(Self);
        }
    }

    /// <summary>A stopped actor's failure awaits nothing any more.</summary>
    public override void AroundPostStop()
    {
        try
        {
            base.AroundPostStop();
        }
        finally
        {
            Lane.Release(Self);
        }
    }
}

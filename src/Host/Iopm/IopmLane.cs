using ActorVisor.Host.Domains;
using Akka.Actor;

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

    public IopmLane(PhysicalCpus? cpus) => _cpus = cpus;

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

    /// <summary>A message counted as running work until handled.</summary>
    internal sealed record Counted(object Message);
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
        try
        {
            return base.AroundReceive(receive, counted.Message);
        }
        finally
        {
            Lane.Done();
        }
    }
}

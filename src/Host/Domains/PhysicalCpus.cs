using System.Collections.Concurrent;
using ActorVisor.Actors.Deterministic;
using Akka.Actor;

namespace ActorVisor.Host.Domains;

/// <summary>
/// Parallel mode: one Akka actor per physical CPU (/user/pcpu&lt;n&gt;) on Akka's pinned dispatcher
/// (<see cref="DispatcherId"/>: a dedicated thread per actor), which runs the guest part of vCPU
/// slices, while the other actors (scheduler, domains, toolstack) stay on the deterministic loop
/// of the thread that drives the system. A vCPU actor hands its slice to the actor of the
/// physical CPU the scheduler chose and gets the result back as a message; messages a slice causes
/// (an event that wakes a vCPU of another domain) are queued here and delivered by the driver, so
/// that no message to a loop actor is sent from a physical-CPU thread. The driver calls
/// <see cref="WaitForWork"/> whenever the loop is idle and moves virtual time only when no slice is
/// running. Slices are never interrupted: pausing or destroying a domain takes effect between its
/// slices; disposing stops the actors after their queued slices.
/// </summary>
public sealed class PhysicalCpus : IDisposable
{
    /// <summary>The dispatcher of the physical-CPU actors.</summary>
    public const string DispatcherId = "akka.actor.pcpu-dispatcher";

    /// <summary>
    /// Its settings, as hocon/reference.conf has them, for systems built without a scenario: Akka's
    /// pinned dispatcher, and a shutdown timeout of zero so that its threads end when the actors
    /// stop (the timeout is a timer of the system's scheduler, virtual in a deterministic system).
    /// </summary>
    public const string DispatcherHocon = DispatcherId + " { type = PinnedDispatcher, throughput = 1, shutdown-timeout = 0s }";

    [ThreadStatic]
    private static bool _onPhysicalCpuThread;

    private readonly ActorSystem _system;
    private readonly IActorRef[] _actors;
    private readonly ConcurrentQueue<(IActorRef Target, object Message, IActorRef? Sender)> _posts = new();
    private readonly SemaphoreSlim _finished = new(0);
    private readonly DeterministicRuntime? _loop;
    private int _running;

    public PhysicalCpus(ActorSystem system, int count)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _system = system;
        _loop = DeterministicRuntime.Of(system);
        if (_loop is not null)
        {
            _loop.ExternalWork += WakeDriver;
        }

        _actors = new IActorRef[count];
        for (int i = 0; i < count; i++)
        {
            _actors[i] = system.ActorOf(Props.Create(() => new PhysicalCpuActor(this)).WithDispatcher(DispatcherId), $"pcpu{i}");
        }
    }

    public int Count => _actors.Length;

    /// <summary>Slices handed to the physical CPUs that have not finished yet.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Runs <paramref name="work"/> on the thread of physical CPU <paramref name="pcpu"/>; it must not throw.</summary>
    public void Run(int pcpu, Action work)
    {
        Interlocked.Increment(ref _running);
        _actors[pcpu % _actors.Length].Tell(work, ActorRefs.NoSender);
    }

    /// <summary>Sends a message at once, or, on a physical-CPU thread, queues it for the driver.</summary>
    public void Post(IActorRef target, object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (_onPhysicalCpuThread)
        {
            _posts.Enqueue((target, message, sender));
            _finished.Release(); // wakes the driver, so that a wake-up can preempt a slice still running
        }
        else
        {
            target.Tell(message, sender);
        }
    }

    /// <summary>
    /// Called by the driver when the actor system is idle: delivers queued messages, and if there
    /// were none waits until a running slice finishes or posts one, or another thread queues a run
    /// on the loop. False when nothing runs and nothing was queued.
    /// </summary>
    public bool WaitForWork()
    {
        while (true)
        {
            if (Deliver())
            {
                return true;
            }

            // Another thread's message or system message to a loop actor (an IOPM's failure reaching the hypervisor) is work for the driver.
            if (_loop?.HasRunnable == true)
            {
                return true;
            }

            if (Running == 0)
            {
                return Deliver();
            }

            _finished.Wait();
        }
    }

    /// <summary>
    /// Counts work handed to a thread of the host that is not a physical CPU (an IOPM's) as running,
    /// so that the driver waits for it as for a slice; end it with <see cref="EndOffLoopWork"/>.
    /// </summary>
    public void BeginOffLoopWork() => Interlocked.Increment(ref _running);

    /// <summary>
    /// Ends work begun with <see cref="BeginOffLoopWork"/>, on the thread that did it; that thread
    /// is marked as off the loop, so that its messages to loop actors go through <see cref="Post"/>.
    /// </summary>
    public void EndOffLoopWork()
    {
        _onPhysicalCpuThread = true;
        Finished();
    }

    /// <summary>Ends work begun with <see cref="BeginOffLoopWork"/> from any thread, without marking it (a supervisor that decided on a failed IOPM-side actor).</summary>
    public void EndWork() => Finished();

    /// <summary>Marks the calling thread as one of the host's own (an IOPM's), whose messages to loop actors are queued for the driver.</summary>
    public static void MarkOffLoopThread() => _onPhysicalCpuThread = true;

    public void Dispose()
    {
        if (_loop is not null)
        {
            _loop.ExternalWork -= WakeDriver;
        }

        foreach (var actor in _actors)
        {
            _system.Stop(actor);
        }
    }

    private bool Deliver()
    {
        bool any = false;
        while (_posts.TryDequeue(out var post))
        {
            post.Target.Tell(post.Message, post.Sender);
            any = true;
        }

        return any;
    }

    private void WakeDriver() => _finished.Release();

    private void Finished()
    {
        Interlocked.Decrement(ref _running);
        _finished.Release();
    }

    /// <summary>One physical CPU: runs the slices handed to it, one after another, on its dedicated thread.</summary>
    private sealed class PhysicalCpuActor : ReceiveActor
    {
        public PhysicalCpuActor(PhysicalCpus cpus) => Receive<Action>(work =>
        {
            _onPhysicalCpuThread = true;
            try
            {
                work();
            }
            finally
            {
                cpus.Finished();
            }
        });
    }
}

using System.Collections.Concurrent;
using ActorVisor.Actors;

namespace ActorVisor.Host.Domains;

/// <summary>
/// Parallel mode: one dedicated thread per physical CPU that runs the guest part of vCPU slices,
/// while the actors (scheduler, domains, toolstack) stay on the thread that drives the actor
/// system. A vCPU actor hands its slice to the thread of the physical CPU the scheduler chose
/// and gets the result back as a message; messages a slice causes (an event that wakes a vCPU of
/// another domain) are queued here and delivered by the driver, so that no actor message is sent
/// from a physical-CPU thread. The driver calls <see cref="WaitForWork"/> whenever the actor
/// system is idle and moves virtual time only when no slice is running. Threads are never
/// killed: pausing or destroying a domain takes effect between its slices, and disposing this
/// object lets each thread finish its queue and end.
/// </summary>
public sealed class PhysicalCpus : IDisposable
{
    [ThreadStatic]
    private static bool _onPhysicalCpuThread;

    private readonly BlockingCollection<Action>[] _queues;
    private readonly Thread[] _threads;
    private readonly ConcurrentQueue<(IActorRef Target, object Message, IActorRef? Sender)> _posts = new();
    private readonly SemaphoreSlim _finished = new(0);
    private int _running;

    public PhysicalCpus(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _queues = new BlockingCollection<Action>[count];
        _threads = new Thread[count];
        for (int i = 0; i < count; i++)
        {
            var queue = new BlockingCollection<Action>();
            _queues[i] = queue;
            _threads[i] = new Thread(() => Loop(queue)) { IsBackground = true, Name = $"pcpu{i}" };
            _threads[i].Start();
        }
    }

    public int Count => _queues.Length;

    /// <summary>Slices handed to the threads that have not finished yet.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Runs <paramref name="work"/> on the thread of physical CPU <paramref name="pcpu"/>; it must not throw.</summary>
    public void Run(int pcpu, Action work)
    {
        Interlocked.Increment(ref _running);
        _queues[pcpu % _queues.Length].Add(work);
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
    /// were none waits until a running slice finishes or posts one. False when nothing runs and
    /// nothing was queued.
    /// </summary>
    public bool WaitForWork()
    {
        while (true)
        {
            if (Deliver())
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

    public void Dispose()
    {
        foreach (var queue in _queues)
        {
            queue.CompleteAdding();
        }

        foreach (var thread in _threads)
        {
            thread.Join();
        }

        foreach (var queue in _queues)
        {
            queue.Dispose();
        }

        _finished.Dispose();
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

    private void Loop(BlockingCollection<Action> queue)
    {
        _onPhysicalCpuThread = true;
        foreach (var work in queue.GetConsumingEnumerable())
        {
            work();
            Interlocked.Decrement(ref _running);
            _finished.Release();
        }
    }
}

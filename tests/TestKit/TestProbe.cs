using System.Collections.Concurrent;
using ActorVisor.Actors;
using Xunit;

namespace ActorVisor.TestKit;

/// <summary>
/// A scriptable actor for tests: pass <see cref="Ref"/> as a sender or collaborator, then assert on
/// what it received. Under the deterministic dispatcher every wait runs the system on the test
/// thread and moves virtual time forward timer by timer, so a timeout costs no real time; under
/// the thread pool a wait blocks on a semaphore with a real timeout (never a sleep).
/// </summary>
public sealed class TestProbe
{
    private readonly ActorSystem _system;
    private readonly ConcurrentQueue<(object Message, IActorRef Sender)> _queue = new();
    private readonly SemaphoreSlim _signal = new(0);
    private TimeSpan? _withinDeadline;

    internal TestProbe(ActorSystem system, string name, TimeSpan defaultTimeout)
    {
        _system = system;
        DefaultTimeout = defaultTimeout;
        Ref = system.SystemActorOf(Props.Create(() => new ProbeActor(_queue, _signal)), name);
    }

    /// <summary>Gets the probe's actor reference.</summary>
    public IActorRef Ref { get; }

    /// <summary>Gets the timeout used when an expectation gives none (virtual time in deterministic mode).</summary>
    public TimeSpan DefaultTimeout { get; }

    /// <summary>Gets the sender of the last message received.</summary>
    public IActorRef LastSender { get; private set; } = ActorRefs.Nobody;

    /// <summary>Gets the last message received.</summary>
    public object? LastMessage { get; private set; }

    /// <summary>Sends <paramref name="message"/> to <paramref name="target"/> with the probe as sender.</summary>
    public void Send(IActorRef target, object message)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.Tell(message, Ref);
    }

    /// <summary>Replies to the sender of the last message, with the probe as sender.</summary>
    public void Reply(object message) => LastSender.Tell(message, Ref);

    /// <summary>Watches <paramref name="target"/> so that <see cref="ExpectTerminated"/> can see it stop.</summary>
    public IActorRef Watch(IActorRef target)
    {
        Ref.Tell(new ProbeActor.WatchRequest(target), null);
        return target;
    }

    public IActorRef Unwatch(IActorRef target)
    {
        Ref.Tell(new ProbeActor.UnwatchRequest(target), null);
        return target;
    }

    /// <summary>Expects a message of type <typeparamref name="T"/> next, within the timeout.</summary>
    public T ExpectMsg<T>(TimeSpan? timeout = null) => ExpectMsg<T>(_ => true, timeout);

    /// <summary>Expects a next message of type <typeparamref name="T"/> that satisfies <paramref name="isMessage"/>.</summary>
    public T ExpectMsg<T>(Predicate<T> isMessage, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(isMessage);
        var effective = Remaining(timeout);
        if (!TryReceive(effective, out var message))
        {
            Assert.Fail($"Timeout ({effective}) while waiting for a message of type {typeof(T).Name}.");
        }
        if (message is not T typed)
        {
            Assert.Fail($"Expected a message of type {typeof(T).Name} but got {Describe(message)}.");
            return default!;
        }
        if (!isMessage(typed))
        {
            Assert.Fail($"The message {Describe(message)} did not match the predicate.");
        }
        return typed;
    }

    /// <summary>Expects exactly <paramref name="expected"/> (by Equals) next.</summary>
    public T ExpectMsg<T>(T expected, TimeSpan? timeout = null)
        where T : notnull
    {
        var effective = Remaining(timeout);
        if (!TryReceive(effective, out var message))
        {
            Assert.Fail($"Timeout ({effective}) while waiting for {expected}.");
        }
        if (!Equals(expected, message))
        {
            Assert.Fail($"Expected {expected} but got {Describe(message)}.");
        }
        return (T)message!;
    }

    /// <summary>Asserts that no message arrives during <paramref name="duration"/> (virtual time in deterministic mode).</summary>
    public void ExpectNoMsg(TimeSpan duration)
    {
        if (TryReceive(duration, out var message))
        {
            Assert.Fail($"Expected no message for {duration} but got {Describe(message)}.");
        }
    }

    /// <summary>Expects <see cref="Terminated"/> for <paramref name="target"/>; the probe must be watching it.</summary>
    public Terminated ExpectTerminated(IActorRef target, TimeSpan? timeout = null)
        => ExpectMsg<Terminated>(t => ReferenceEquals(t.ActorRef, target), timeout);

    /// <summary>Receives and drops messages until one satisfies <paramref name="isTheOne"/>, and returns it.</summary>
    public object FishForMessage(Predicate<object> isTheOne, TimeSpan? max = null)
    {
        ArgumentNullException.ThrowIfNull(isTheOne);
        var effective = Remaining(max);
        var deadline = _system.Scheduler.Now + effective;
        while (true)
        {
            var left = deadline - _system.Scheduler.Now;
            if (left < TimeSpan.Zero || !TryReceive(left, out var message))
            {
                Assert.Fail($"Timeout ({effective}) while fishing for a matching message.");
                return null!;
            }
            if (isTheOne(message!))
            {
                return message!;
            }
        }
    }

    /// <summary>Typed FishForMessage: skips everything until a <typeparamref name="T"/> matching <paramref name="isTheOne"/>.</summary>
    public T FishForMessage<T>(Predicate<T> isTheOne, TimeSpan? max = null)
        => (T)FishForMessage(m => m is T t && isTheOne(t), max);

    /// <summary>Receives the next message of any type.</summary>
    public object ReceiveOne(TimeSpan? timeout = null)
    {
        var effective = Remaining(timeout);
        if (!TryReceive(effective, out var message))
        {
            Assert.Fail($"Timeout ({effective}) while waiting for any message.");
        }
        return message!;
    }

    /// <summary>
    /// Runs <paramref name="action"/> and asserts it finished within <paramref name="max"/> of system
    /// time; expectations inside default to the time remaining. Meant for virtual time: under the
    /// thread pool it measures the wall clock.
    /// </summary>
    public void Within(TimeSpan max, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var start = _system.Scheduler.Now;
        var outer = _withinDeadline;
        _withinDeadline = start + max;
        try
        {
            action();
        }
        finally
        {
            _withinDeadline = outer;
        }
        var elapsed = _system.Scheduler.Now - start;
        if (elapsed > max)
        {
            Assert.Fail($"The block took {elapsed}, more than the {max} allowed by Within.");
        }
    }

    /// <summary>Within with a lower bound as well.</summary>
    public void Within(TimeSpan min, TimeSpan max, Action action)
    {
        var start = _system.Scheduler.Now;
        Within(max, action);
        var elapsed = _system.Scheduler.Now - start;
        if (elapsed < min)
        {
            Assert.Fail($"The block took {elapsed}, less than the {min} required by Within.");
        }
    }

    private static string Describe(object? message) => message is null ? "null" : $"{message.GetType().Name} ({message})";

    private TimeSpan Remaining(TimeSpan? requested)
    {
        var timeout = requested ?? DefaultTimeout;
        if (_withinDeadline is { } deadline)
        {
            var left = deadline - _system.Scheduler.Now;
            if (requested is null || left < timeout)
            {
                timeout = left < TimeSpan.Zero ? TimeSpan.Zero : left;
            }
        }
        return timeout;
    }

    private bool TryReceive(TimeSpan timeout, out object? message)
    {
        if (_system.Deterministic is { } runtime)
        {
            if (!runtime.RunUntil(() => !_queue.IsEmpty, timeout))
            {
                message = null;
                return false;
            }
            _signal.Wait(0);
        }
        else if (!_signal.Wait(timeout))
        {
            message = null;
            return false;
        }
        _queue.TryDequeue(out var item);
        LastMessage = item.Message;
        LastSender = item.Sender;
        message = item.Message;
        return true;
    }
}

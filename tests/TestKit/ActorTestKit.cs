using ActorVisor.Actors;
using Xunit;

namespace ActorVisor.TestKit;

/// <summary>
/// The stand-in for Akka.TestKit.Xunit2's TestKit: owns an actor system (deterministic with seed 0
/// unless told otherwise) and a default probe, <see cref="TestActor"/>, whose expectations are
/// available directly on the kit. Dispose terminates the system.
/// </summary>
public class ActorTestKit : IDisposable
{
    private int _probeCount;

    public ActorTestKit(ActorSystemOptions? options = null, string systemName = "test")
    {
        Sys = ActorSystem.Create(systemName, options ?? ActorSystemOptions.Deterministic(0));
        DefaultTimeout = Sys.Deterministic is null ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(3);
        Probe = CreateTestProbe("testActor");
    }

    /// <summary>Gets the system under test.</summary>
    public ActorSystem Sys { get; }

    /// <summary>Gets the default expectation timeout: 3 s of virtual time, or a generous 10 s of real time under the thread pool.</summary>
    public TimeSpan DefaultTimeout { get; }

    /// <summary>Gets the default probe.</summary>
    public TestProbe Probe { get; }

    /// <summary>Gets the default probe's reference, to pass as sender or collaborator.</summary>
    public IActorRef TestActor => Probe.Ref;

    /// <summary>Gets the sender of the last message the default probe received.</summary>
    public IActorRef LastSender => Probe.LastSender;

    /// <summary>Gets the deterministic runtime; fails the test if the system runs on the thread pool.</summary>
    public DeterministicRuntime Runtime => Sys.Deterministic ?? throw new InvalidOperationException("This test kit runs on the thread pool; virtual time is not available.");

    /// <summary>Creates another probe.</summary>
    public TestProbe CreateTestProbe(string? name = null)
        => new(Sys, name ?? "probe" + Interlocked.Increment(ref _probeCount), DefaultTimeout);

    public T ExpectMsg<T>(TimeSpan? timeout = null) => Probe.ExpectMsg<T>(timeout);

    public T ExpectMsg<T>(Predicate<T> isMessage, TimeSpan? timeout = null) => Probe.ExpectMsg(isMessage, timeout);

    public T ExpectMsg<T>(T expected, TimeSpan? timeout = null)
        where T : notnull
        => Probe.ExpectMsg(expected, timeout);

    public void ExpectNoMsg(TimeSpan duration) => Probe.ExpectNoMsg(duration);

    public Terminated ExpectTerminated(IActorRef target, TimeSpan? timeout = null) => Probe.ExpectTerminated(target, timeout);

    public object FishForMessage(Predicate<object> isTheOne, TimeSpan? max = null) => Probe.FishForMessage(isTheOne, max);

    public T FishForMessage<T>(Predicate<T> isTheOne, TimeSpan? max = null) => Probe.FishForMessage(isTheOne, max);

    public object ReceiveOne(TimeSpan? timeout = null) => Probe.ReceiveOne(timeout);

    public void Within(TimeSpan max, Action action) => Probe.Within(max, action);

    public void Within(TimeSpan min, TimeSpan max, Action action) => Probe.Within(min, max, action);

    /// <summary>Makes the default probe watch <paramref name="target"/>.</summary>
    public IActorRef Watch(IActorRef target) => Probe.Watch(target);

    public IActorRef Unwatch(IActorRef target) => Probe.Unwatch(target);

    /// <summary>Creates a top-level actor.</summary>
    public IActorRef ActorOf(Props props, string? name = null) => Sys.ActorOf(props, name);

    /// <summary>Runs every actor until nothing is runnable at the current virtual time.</summary>
    public void RunUntilIdle() => Runtime.RunUntilIdle();

    /// <summary>Moves virtual time forward, firing timers in order.</summary>
    public void AdvanceTime(TimeSpan duration) => Runtime.Advance(duration);

    /// <summary>Waits for a task (running the system in deterministic mode) and returns its result; fails the test on timeout.</summary>
    public T AwaitResult<T>(Task<T> task, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        var limit = timeout ?? DefaultTimeout;
        var done = Sys.Deterministic is { } runtime ? runtime.RunUntil(() => task.IsCompleted, limit) : ((IAsyncResult)task).AsyncWaitHandle.WaitOne(limit);
        if (!done)
        {
            Assert.Fail($"Timeout ({limit}) while waiting for a task.");
        }
        return task.GetAwaiter().GetResult();
    }

    /// <summary>Waits for a task to complete (successfully or not) and returns it, for asserting on its outcome.</summary>
    public Task<T> AwaitCompletion<T>(Task<T> task, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        var limit = timeout ?? DefaultTimeout;
        var done = Sys.Deterministic is { } runtime ? runtime.RunUntil(() => task.IsCompleted, limit) : ((IAsyncResult)task).AsyncWaitHandle.WaitOne(limit);
        if (!done)
        {
            Assert.Fail($"Timeout ({limit}) while waiting for a task.");
        }
        return task;
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Sys.Dispose();
        }
    }
}

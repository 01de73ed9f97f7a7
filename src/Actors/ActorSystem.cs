namespace ActorVisor.Actors;

/// <summary>
/// A hierarchy of actors under "/" with the guardians "/user" (everything ActorOf creates) and
/// "/system", plus dead letters, the event stream, the scheduler and the dispatchers.
/// Terminating the system stops /user depth-first, then /system, then the root.
/// </summary>
public sealed class ActorSystem : IDisposable
{
    private readonly Dictionary<string, MessageDispatcher> _dispatchers = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Random _random;
    private readonly object _randomGate = new();
    private readonly ActorCell _root;
    private readonly ActorCell _user;
    private readonly ActorCell _system;
    private readonly object _logGate = new();
    private long _deadLetterCount;
    private long _tempCounter;

    private ActorSystem(string name, ActorSystemOptions options)
    {
        Name = name;
        Options = options;
        _random = new Random(options.Seed);
        EventStream = new EventStream();
        if (options.Mode == ExecutionMode.Deterministic)
        {
            Deterministic = new DeterministicRuntime(options.Seed);
            Scheduler = Deterministic.Scheduler;
        }
        else
        {
            Scheduler = new RealTimeScheduler();
        }
        RegisterDispatchers();
        if (options.LogOutput is { } writer)
        {
            EventStream.Subscribe(typeof(LogEvent), e =>
            {
                lock (_logGate)
                {
                    writer.WriteLine(e.ToString());
                }
            });
        }
        var rootPath = ActorPath.Root(name);
        DeadLetters = new DeadLetterActorRef(this, rootPath.Child("deadLetters"));
        TempPath = rootPath.Child("temp");
        _root = new ActorCell(this, rootPath, Props.Create(() => new RootGuardian()).WithSupervisorStrategy(SupervisorStrategy.StoppingStrategy), null);
        _user = (((LocalActorRef)_root.ActorOf(Props.Create(() => new Guardian()), "user")).Cell);
        _system = (((LocalActorRef)_root.ActorOf(Props.Create(() => new Guardian()), "system")).Cell);
        _root.Start();
        CoordinatedShutdown = new CoordinatedShutdown(this);
    }

    public string Name { get; }

    public ActorSystemOptions Options { get; }

    /// <summary>Gets the clock and timers: virtual in deterministic mode, wall clock otherwise.</summary>
    public IScheduler Scheduler { get; }

    public EventStream EventStream { get; }

    /// <summary>Gets the reference that collects undeliverable messages.</summary>
    public IActorRef DeadLetters { get; }

    /// <summary>Gets how many messages went to dead letters so far.</summary>
    public long DeadLetterCount => Interlocked.Read(ref _deadLetterCount);

    /// <summary>Gets the runtime to drive in deterministic mode, or null in thread-pool mode.</summary>
    public DeterministicRuntime? Deterministic { get; }

    /// <summary>Gets the coordinated shutdown of this system.</summary>
    public CoordinatedShutdown CoordinatedShutdown { get; }

    /// <summary>Gets a task that completes when the root guardian has stopped.</summary>
    public Task WhenTerminated => _terminated.Task;

    internal ActorPath TempPath { get; }

    internal ActorCell RootCell => _root;

    internal ActorCell UserGuardian => _user;

    internal ActorCell SystemGuardian => _system;

    /// <summary>Creates a system; <paramref name="name"/> appears in every actor path's address.</summary>
    public static ActorSystem Create(string name, ActorSystemOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new ActorSystem(name, options ?? new ActorSystemOptions());
    }

    /// <summary>Creates a top-level actor under /user.</summary>
    public IActorRef ActorOf(Props props, string? name = null) => _user.ActorOf(props, name);

    /// <summary>Creates an actor under /system (for kernel services).</summary>
    public IActorRef SystemActorOf(Props props, string? name = null) => _system.ActorOf(props, name);

    /// <summary>Stops an actor asynchronously.</summary>
    public void Stop(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor is IInternalActorRef target)
        {
            target.SendSystemMessage(new Terminate());
        }
    }

    /// <summary>Selects actors by absolute path, like "/user/hypervisor/dom3" or "/user/*/vcpu0".</summary>
    public ActorSelection ActorSelection(string path) => Actors.ActorSelection.Parse(this, _root, path);

    /// <summary>Starts stopping the whole system; the task completes when it has stopped.</summary>
    public Task Terminate()
    {
        _user.Self.SendSystemMessage(new Terminate());
        return WhenTerminated;
    }

    /// <summary>Returns a number in [0, 1) from the system's seeded random source; thread safe.</summary>
    public double NextRandomDouble()
    {
        lock (_randomGate)
        {
            return _random.NextDouble();
        }
    }

    /// <summary>Terminates the system and waits for it (deterministic mode: runs it until idle).</summary>
    public void Dispose()
    {
        var task = Terminate();
        if (Deterministic is { } runtime)
        {
            runtime.RunUntilIdle();
        }
        else
        {
            task.Wait(TimeSpan.FromSeconds(10));
        }
    }

    internal void DeadLetterFrom(object message, IActorRef? sender, IActorRef recipient)
    {
        var count = Interlocked.Increment(ref _deadLetterCount);
        if (count <= Options.DeadLettersLogged && Options.MinimumLogLevel <= LogLevel.Info)
        {
            var from = sender?.Path.ToStringWithoutAddress() ?? "no sender";
            EventStream.Publish(new LogEvent(LogLevel.Info, Scheduler.Now, recipient.Path.ToStringWithoutAddress(),
                $"Message of type {message.GetType().Name} from {from} to {recipient.Path.ToStringWithoutAddress()} was not delivered (dead letter {count}).", null));
        }
        EventStream.Publish(new DeadLetter(message, sender, recipient));
    }

    internal ActorPath NewTempPath() => TempPath.Child("$" + Interlocked.Increment(ref _tempCounter).ToString(System.Globalization.CultureInfo.InvariantCulture));

    internal MessageDispatcher LookupDispatcher(string id)
        => _dispatchers.TryGetValue(id, out var dispatcher)
            ? dispatcher
            : throw new InvalidOperationException($"No dispatcher named [{id}] is configured; known: {string.Join(", ", _dispatchers.Keys)}.");

    internal void OnRootTerminated()
    {
        foreach (var dispatcher in _dispatchers.Values)
        {
            dispatcher.Shutdown();
        }
        _terminated.TrySetResult();
    }

    private void RegisterDispatchers()
    {
        var all = new Dictionary<string, DispatcherOptions>(StringComparer.Ordinal)
        {
            [Dispatchers.DefaultId] = new DispatcherOptions(DispatcherKind.ThreadPool, Options.Throughput),
            [Dispatchers.PinnedId] = new DispatcherOptions(DispatcherKind.Pinned, Options.Throughput),
        };
        foreach (var (id, dispatcherOptions) in Options.Dispatchers)
        {
            all[id] = dispatcherOptions;
        }
        foreach (var (id, o) in all)
        {
            var throughput = Math.Max(1, o.Throughput);
            _dispatchers[id] = Deterministic is { } runtime
                ? new DeterministicDispatcher(id, throughput, runtime)
                : o.Kind == DispatcherKind.Pinned
                    ? new PinnedDispatcher(id, throughput)
                    : new ThreadPoolDispatcher(id, throughput);
        }
    }
}

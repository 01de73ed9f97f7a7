namespace ActorVisor.Actors;

/// <summary>Settings of an <see cref="ActorSystem"/>; plain values so that callers can map any configuration onto them.</summary>
public sealed record ActorSystemOptions
{
    /// <summary>Gets the execution mode; thread pool unless set.</summary>
    public ExecutionMode Mode { get; init; } = ExecutionMode.ThreadPool;

    /// <summary>Gets the seed of the system's random source and of the deterministic tie-breaks.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Gets how many user messages the default dispatcher processes per mailbox run. Higher values
    /// batch more (faster) at the cost of fairness; 10 is a fair-and-fast middle, as in Akka.
    /// </summary>
    public int Throughput { get; init; } = 10;

    /// <summary>Gets extra named dispatchers, usable with <see cref="Props.WithDispatcher"/>.</summary>
    public IReadOnlyDictionary<string, DispatcherOptions> Dispatchers { get; init; } = new Dictionary<string, DispatcherOptions>();

    /// <summary>Gets the lowest level that log adapters publish.</summary>
    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Info;

    /// <summary>Gets where log events are written as text lines, if anywhere.</summary>
    public TextWriter? LogOutput { get; init; }

    /// <summary>Gets how many dead letters are logged (at Info) before the system stops logging them; all are still counted.</summary>
    public int DeadLettersLogged { get; init; } = 10;

    /// <summary>Gets the longest a coordinated-shutdown phase may take before the next one starts.</summary>
    public TimeSpan ShutdownPhaseTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Options for a deterministic system with the given seed; throughput 1 interleaves actors message by message.</summary>
    public static ActorSystemOptions Deterministic(int seed) => new() { Mode = ExecutionMode.Deterministic, Seed = seed, Throughput = 1 };
}

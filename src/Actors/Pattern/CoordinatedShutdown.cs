namespace ActorVisor.Actors;

/// <summary>
/// Ordered shutdown of the whole system, after Akka's CoordinatedShutdown: tasks are registered
/// under named phases, phases run in a fixed order (the tasks of a phase one after another, each
/// bounded by <see cref="ActorSystemOptions.ShutdownPhaseTimeout"/>, a failed or late task logged
/// and skipped), and the last phase terminates the actor system. Running it again returns the
/// same task. Under the deterministic dispatcher the caller must keep driving the runtime while
/// the returned task is pending.
/// </summary>
public sealed class CoordinatedShutdown
{
    /// <summary>First phase: stop accepting new work.</summary>
    public const string PhaseBeforeServiceUnbind = "before-service-unbind";

    /// <summary>Unbind endpoints.</summary>
    public const string PhaseServiceUnbind = "service-unbind";

    /// <summary>Wait for requests in progress.</summary>
    public const string PhaseServiceRequestsDone = "service-requests-done";

    /// <summary>Stop services.</summary>
    public const string PhaseServiceStop = "service-stop";

    /// <summary>Last chance before the actors stop (flush, save).</summary>
    public const string PhaseBeforeActorSystemTerminate = "before-actor-system-terminate";

    /// <summary>The actor system is terminated in this phase.</summary>
    public const string PhaseActorSystemTerminate = "actor-system-terminate";

    private static readonly string[] Phases =
    [
        PhaseBeforeServiceUnbind,
        PhaseServiceUnbind,
        PhaseServiceRequestsDone,
        PhaseServiceStop,
        PhaseBeforeActorSystemTerminate,
        PhaseActorSystemTerminate,
    ];

    private readonly ActorSystem _system;
    private readonly object _gate = new();
    private readonly Dictionary<string, List<(string Name, Func<Task> Run)>> _tasks = [];
    private Task? _running;

    internal CoordinatedShutdown(ActorSystem system) => _system = system;

    /// <summary>Gets the phases in the order they run.</summary>
    public static IReadOnlyList<string> PhaseOrder => Phases;

    /// <summary>Gets the reason passed to the first <see cref="Run"/>, if it has been called.</summary>
    public string? ShutdownReason { get; private set; }

    /// <summary>Registers <paramref name="task"/> to run in <paramref name="phase"/>.</summary>
    public void AddTask(string phase, string taskName, Func<Task> task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!Phases.Contains(phase))
        {
            throw new ArgumentException($"Unknown coordinated-shutdown phase [{phase}]; phases are {string.Join(", ", Phases)}.", nameof(phase));
        }
        lock (_gate)
        {
            if (!_tasks.TryGetValue(phase, out var list))
            {
                _tasks[phase] = list = [];
            }
            list.Add((taskName, task));
        }
    }

    /// <summary>Runs every phase in order and terminates the system; later calls return the same task.</summary>
    public Task Run(string reason)
    {
        lock (_gate)
        {
            if (_running is null)
            {
                ShutdownReason = reason;
                _running = RunPhases();
            }
            return _running;
        }
    }

    private async Task RunPhases()
    {
        var log = _system.GetLogger("CoordinatedShutdown");
        foreach (var phase in Phases)
        {
            List<(string Name, Func<Task> Run)> tasks;
            lock (_gate)
            {
                tasks = _tasks.TryGetValue(phase, out var list) ? [.. list] : [];
            }
            if (phase == PhaseActorSystemTerminate)
            {
                tasks.Add(("terminate-system", () => _system.Terminate()));
            }
            foreach (var (name, run) in tasks)
            {
                Task task;
                try
                {
                    task = run();
                }
                catch (Exception e)
                {
                    log.Error(e, $"task [{name}] of phase [{phase}] failed");
                    continue;
                }
                var finished = await Task.WhenAny(task, Task.Delay(_system.Options.ShutdownPhaseTimeout)).ConfigureAwait(false);
                if (finished != task)
                {
                    log.Warning($"task [{name}] of phase [{phase}] did not finish within {_system.Options.ShutdownPhaseTimeout}");
                }
                else if (task.IsFaulted)
                {
                    log.Error(task.Exception?.InnerException, $"task [{name}] of phase [{phase}] failed");
                }
            }
        }
    }
}

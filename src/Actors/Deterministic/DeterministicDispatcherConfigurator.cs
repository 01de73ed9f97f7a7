namespace ActorVisor.Actors.Deterministic;

using Akka.Configuration;
using Akka.Dispatch;

/// <summary>
/// Akka's hook for the deterministic dispatcher
/// (<c>type = "ActorVisor.Actors.Deterministic.DeterministicDispatcherConfigurator, ActorVisor.Actors"</c>
/// in a dispatcher section). It needs the system's scheduler to be <see cref="VirtualTimeScheduler"/>,
/// whose loop it queues on; one dispatcher instance per configured id.
/// </summary>
public sealed class DeterministicDispatcherConfigurator : MessageDispatcherConfigurator
{
    private readonly DeterministicDispatcher _instance;

    public DeterministicDispatcherConfigurator(Config config, IDispatcherPrerequisites prerequisites)
        : base(config, prerequisites)
    {
        ArgumentNullException.ThrowIfNull(config);
        string id = config.GetString("id", "deterministic");
        var executor = new DeterministicExecutor(id, RuntimeOf(Prerequisites, id));
        _instance = new DeterministicDispatcher(this, id, Math.Max(1, config.GetInt("throughput", 1)), executor);
    }

    public override MessageDispatcher Dispatcher() => _instance;

    internal static DeterministicRuntime RuntimeOf(IDispatcherPrerequisites prerequisites, string id)
        => (prerequisites.Scheduler as VirtualTimeScheduler)?.Runtime
            ?? throw new ConfigurationException($"dispatcher {id}: the deterministic dispatcher needs akka.scheduler.implementation = \"{typeof(VirtualTimeScheduler).FullName}, {typeof(VirtualTimeScheduler).Assembly.GetName().Name}\"");
}

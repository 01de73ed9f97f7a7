namespace ActorVisor.Actors.Deterministic;

using Akka.Configuration;
using Akka.Dispatch;

/// <summary>
/// Makes a <see cref="DeterministicExecutor"/> for Akka's own dispatcher types
/// (<c>executor = "ActorVisor.Actors.Deterministic.DeterministicExecutorConfigurator, ActorVisor.Actors"</c>).
/// Such a dispatcher does not tell the executor which actor a run belongs to, so its runs are
/// ordered by queueing order within a step; <see cref="DeterministicDispatcherConfigurator"/>
/// orders by actor path and is the one to use for actors.
/// </summary>
public sealed class DeterministicExecutorConfigurator(Config config, IDispatcherPrerequisites prerequisites) : ExecutorServiceConfigurator(config, prerequisites)
{
    public override ExecutorService Produce(string id) => new DeterministicExecutor(id, DeterministicDispatcherConfigurator.RuntimeOf(Prerequisites, id));
}

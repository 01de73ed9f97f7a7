namespace ActorVisor.Actors.Deterministic;

using Akka.Configuration;

/// <summary>
/// The HOCON that turns an Akka.NET system deterministic: the virtual-time scheduler, the
/// deterministic dispatcher for the default, internal and blocking-I/O dispatchers (so every
/// actor, Akka's own included, runs on the one loop), the standard-out logger (the default
/// logger is an actor, and <c>ActorSystem.Create</c> would wait for it on a loop nobody drives
/// yet), and coordinated shutdown detached from <c>Terminate</c> and the process exit (its phase
/// timeouts are wall-clock). <see cref="Apply"/> puts the user's own settings in front of it.
/// </summary>
public static class DeterministicConfig
{
    /// <summary>The type name to use in <c>akka.scheduler.implementation</c>.</summary>
    public static readonly string SchedulerType = $"{typeof(VirtualTimeScheduler).FullName}, {typeof(VirtualTimeScheduler).Assembly.GetName().Name}";

    /// <summary>The type name to use in a dispatcher's <c>type</c>.</summary>
    public static readonly string DispatcherType = $"{typeof(DeterministicDispatcherConfigurator).FullName}, {typeof(DeterministicDispatcherConfigurator).Assembly.GetName().Name}";

    /// <summary>The settings of a deterministic system with tie-breaks drawn from <paramref name="seed"/>.</summary>
    public static Config Create(long seed) => ConfigurationFactory.ParseString(Hocon(seed));

    /// <summary>The user's settings over the deterministic ones: a user may tune them (throughput, log level), and a user who replaces the scheduler or a dispatcher type gives up determinism.</summary>
    public static Config Apply(long seed, Config? user)
    {
        var config = Create(seed);
        return user is null || user.IsEmpty ? config : user.WithFallback(config);
    }

    /// <summary>The settings as HOCON text.</summary>
    public static string Hocon(long seed) => $$"""
        akka {
          deterministic.seed = {{seed}}
          scheduler.implementation = "{{SchedulerType}}"
          loggers = ["Akka.Event.StandardOutLogger, Akka"]
          actor {
            default-dispatcher { type = "{{DispatcherType}}", throughput = 1 }
            internal-dispatcher { type = "{{DispatcherType}}", throughput = 1 }
            default-blocking-io-dispatcher { type = "{{DispatcherType}}", throughput = 1 }
          }
          coordinated-shutdown {
            run-by-actor-system-terminate = off
            run-by-clr-shutdown-hook = off
          }
        }
        """;
}

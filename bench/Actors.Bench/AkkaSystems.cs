namespace ActorVisor.Actors.Bench;

using Akka.Actor;
using Akka.Configuration;

/// <summary>Akka.NET systems for the benchmarks: the default dispatcher with a given throughput, warnings only, the standard-out logger (the default logger delays start-up).</summary>
public static class AkkaSystems
{
    public static ActorSystem Create(string name, int throughput = 10)
        => ActorSystem.Create(name, ConfigurationFactory.ParseString($$"""
            akka {
              loglevel = WARNING
              stdout-loglevel = WARNING
              loggers = ["Akka.Event.StandardOutLogger, Akka"]
              actor.default-dispatcher.throughput = {{throughput}}
            }
            """));
}

global using ActorVisor.Actors.Deterministic;
global using Akka.Actor;
global using Xunit;

global using ActorVisor.Actors;
global using Xunit;

namespace ActorVisor.Actors;

/// <summary>Delivered to a watcher when a watched actor has stopped (normally or after a failure).</summary>
public sealed record Terminated(IActorRef ActorRef) : IAutoReceivedMessage;

namespace ActorVisor.Actors;

/// <summary>Every actor answers Identify with an <see cref="ActorIdentity"/> carrying its reference.</summary>
public sealed record Identify(object? MessageId) : IAutoReceivedMessage;

/// <summary>The answer to <see cref="Identify"/>.</summary>
public sealed record ActorIdentity(object? MessageId, IActorRef? Subject);

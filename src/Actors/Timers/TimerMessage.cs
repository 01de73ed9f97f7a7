namespace ActorVisor.Actors;

/// <summary>The wrapper a timer sends to its owner; the cell delivers the inner message only if the timer generation is still current.</summary>
internal sealed record TimerMessage(object Key, int Generation, object Message) : IAutoReceivedMessage;

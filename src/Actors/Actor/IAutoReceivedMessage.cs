namespace ActorVisor.Actors;

/// <summary>Marks user messages the cell handles itself before (or instead of) the actor's behaviour.</summary>
internal interface IAutoReceivedMessage
{
}

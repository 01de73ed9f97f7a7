namespace ActorVisor.Actors;

/// <summary>A reference the kernel can also send system messages to (watch, terminate, supervise).</summary>
internal interface IInternalActorRef : IActorRef
{
    bool IsTerminated { get; }

    void SendSystemMessage(SystemMessage message);
}

namespace ActorVisor.Actors;

/// <summary>The /user and /system guardians: they only supervise; any message sent to them is unhandled.</summary>
internal sealed class Guardian : ActorBase
{
    protected internal override bool Receive(object message) => false;
}

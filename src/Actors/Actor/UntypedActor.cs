namespace ActorVisor.Actors;

/// <summary>An actor with one handler for every message; call <c>Unhandled(message)</c> for those it ignores.</summary>
public abstract class UntypedActor : ActorBase
{
    protected abstract void OnReceive(object message);

    protected internal sealed override bool Receive(object message)
    {
        OnReceive(message);
        return true;
    }

    /// <summary>Replaces the behaviour with <paramref name="receive"/>.</summary>
    protected void Become(Action<object> receive)
    {
        ArgumentNullException.ThrowIfNull(receive);
        Context.Become(m =>
        {
            receive(m);
            return true;
        });
    }
}

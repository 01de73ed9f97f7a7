namespace ActorVisor.Actors;

/// <summary>The root "/": it watches /user and stops itself (and with it /system and the whole system) when /user has stopped.</summary>
internal sealed class RootGuardian : ActorBase
{
    protected override void PreStart()
    {
        var user = Context.Child("user");
        if (!ReferenceEquals(user, ActorRefs.Nobody))
        {
            Context.Watch(user);
        }
    }

    protected internal override bool Receive(object message)
    {
        if (message is Terminated)
        {
            Context.Stop(Self);
            return true;
        }
        return false;
    }
}

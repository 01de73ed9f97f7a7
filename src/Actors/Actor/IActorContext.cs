namespace ActorVisor.Actors;

/// <summary>What an actor sees of itself and its surroundings while it processes a message.</summary>
public interface IActorContext
{
    IActorRef Self { get; }

    /// <summary>Gets the sender of the current message, or dead letters if it had none.</summary>
    IActorRef Sender { get; }

    /// <summary>Gets the supervisor of this actor.</summary>
    IActorRef Parent { get; }

    ActorSystem System { get; }

    Props Props { get; }

    /// <summary>Gets the live children (including those being stopped).</summary>
    IReadOnlyCollection<IActorRef> Children { get; }

    /// <summary>Returns the child named <paramref name="name"/>, or <see cref="ActorRefs.Nobody"/>.</summary>
    IActorRef Child(string name);

    /// <summary>Creates a child; a null name gets a generated one starting with '$'.</summary>
    IActorRef ActorOf(Props props, string? name = null);

    /// <summary>Stops a child (or this actor) asynchronously: children first, then PostStop, then Terminated to watchers.</summary>
    void Stop(IActorRef actor);

    /// <summary>Asks to receive <see cref="Terminated"/> when <paramref name="subject"/> stops, even if it has already stopped.</summary>
    IActorRef Watch(IActorRef subject);

    /// <summary>Stops watching; no Terminated for <paramref name="subject"/> is delivered afterwards.</summary>
    IActorRef Unwatch(IActorRef subject);

    /// <summary>Replaces the current behaviour.</summary>
    void Become(Receive receive);

    /// <summary>Pushes a behaviour on top of the current one.</summary>
    void BecomeStacked(Receive receive);

    /// <summary>Returns to the behaviour below the top one.</summary>
    void UnbecomeStacked();

    /// <summary>Same as <see cref="UnbecomeStacked"/>, Akka's older name.</summary>
    void Unbecome();

    /// <summary>Selects actors by a path relative to this actor ("child", "../sibling") or absolute ("/user/a").</summary>
    ActorSelection ActorSelection(string path);
}

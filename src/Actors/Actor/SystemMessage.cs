namespace ActorVisor.Actors;

/// <summary>
/// The kernel's own protocol between cells. System messages overtake user messages in a mailbox and
/// are processed even while the actor is suspended after a failure.
/// </summary>
internal abstract record SystemMessage;

/// <summary>Creates the actor instance and runs PreStart; always the first system message of a cell.</summary>
internal sealed record Create : SystemMessage
{
    public static Create Instance { get; } = new();
}

/// <summary>Restarts the actor after <paramref name="Cause"/>, as its supervisor decided.</summary>
internal sealed record Recreate(Exception Cause) : SystemMessage;

/// <summary>Stops processing user messages (a parent or ancestor failed).</summary>
internal sealed record Suspend : SystemMessage;

/// <summary>Undoes one Suspend; the supervisor chose Resume.</summary>
internal sealed record Resume(Exception? CausedByFailure) : SystemMessage;

/// <summary>Stops the actor: children first, then PostStop, then watchers are told.</summary>
internal sealed record Terminate : SystemMessage;

/// <summary>A child reports that it failed processing a message of type <paramref name="MessageType"/>.</summary>
internal sealed record Failed(IActorRef Child, Exception Cause, string MessageType) : SystemMessage;

/// <summary><paramref name="Watcher"/> asks to be told when <paramref name="Watchee"/> stops.</summary>
internal sealed record Watch(IInternalActorRef Watchee, IInternalActorRef Watcher) : SystemMessage;

/// <summary><paramref name="Watcher"/> no longer wants to hear about <paramref name="Watchee"/>.</summary>
internal sealed record Unwatch(IInternalActorRef Watchee, IInternalActorRef Watcher) : SystemMessage;

/// <summary>Tells a watcher (or the parent) that <paramref name="Actor"/> has stopped.</summary>
internal sealed record DeathWatchNotification(IActorRef Actor) : SystemMessage;

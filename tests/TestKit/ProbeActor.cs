using System.Collections.Concurrent;
using ActorVisor.Actors;

namespace ActorVisor.TestKit;

/// <summary>The actor behind a <see cref="TestProbe"/>: it queues everything it receives, including Terminated of actors it watches.</summary>
internal sealed class ProbeActor(ConcurrentQueue<(object Message, IActorRef Sender)> queue, SemaphoreSlim signal) : ActorBase
{
    protected override bool Receive(object message)
    {
        switch (message)
        {
            case WatchRequest watch:
                Context.Watch(watch.Target);
                break;
            case UnwatchRequest unwatch:
                Context.Unwatch(unwatch.Target);
                break;
            default:
                queue.Enqueue((message, Sender));
                signal.Release();
                break;
        }
        return true;
    }

    internal sealed record WatchRequest(IActorRef Target);

    internal sealed record UnwatchRequest(IActorRef Target);
}

namespace ActorVisor.Actors;

/// <summary>
/// A system-wide publish/subscribe bus: dead letters, unhandled messages and log events go here.
/// A subscriber to a type receives every event assignable to it. Subscriptions are copy-on-write,
/// so Publish takes no lock.
/// </summary>
public sealed class EventStream
{
    private readonly object _gate = new();
    private Subscription[] _subscriptions = [];

    /// <summary>Subscribes an actor to events of <paramref name="channel"/> and its subtypes.</summary>
    public bool Subscribe(IActorRef subscriber, Type channel)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentNullException.ThrowIfNull(channel);
        return Add(new Subscription(channel, subscriber, null));
    }

    /// <summary>Subscribes a callback, which runs synchronously on the publishing thread.</summary>
    public IDisposable Subscribe(Type channel, Action<object> callback)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(callback);
        var subscription = new Subscription(channel, null, callback);
        Add(subscription);
        return new Unsubscriber(this, subscription);
    }

    /// <summary>Removes every subscription of <paramref name="subscriber"/>.</summary>
    public bool Unsubscribe(IActorRef subscriber)
    {
        lock (_gate)
        {
            var kept = _subscriptions.Where(s => !ReferenceEquals(s.Actor, subscriber)).ToArray();
            var removed = kept.Length != _subscriptions.Length;
            _subscriptions = kept;
            return removed;
        }
    }

    /// <summary>Removes the subscription of <paramref name="subscriber"/> to exactly <paramref name="channel"/>.</summary>
    public bool Unsubscribe(IActorRef subscriber, Type channel)
    {
        lock (_gate)
        {
            var kept = _subscriptions.Where(s => !(ReferenceEquals(s.Actor, subscriber) && s.Channel == channel)).ToArray();
            var removed = kept.Length != _subscriptions.Length;
            _subscriptions = kept;
            return removed;
        }
    }

    /// <summary>Delivers <paramref name="event"/> to every matching subscriber.</summary>
    public void Publish(object @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var type = @event.GetType();
        foreach (var s in Volatile.Read(ref _subscriptions))
        {
            if (!s.Channel.IsAssignableFrom(type))
            {
                continue;
            }
            if (s.Actor is not null)
            {
                s.Actor.Tell(@event, null);
            }
            else
            {
                s.Callback!(@event);
            }
        }
    }

    private bool Add(Subscription subscription)
    {
        lock (_gate)
        {
            if (subscription.Actor is not null && _subscriptions.Any(s => ReferenceEquals(s.Actor, subscription.Actor) && s.Channel == subscription.Channel))
            {
                return false;
            }
            _subscriptions = [.. _subscriptions, subscription];
            return true;
        }
    }

    private void Remove(Subscription subscription)
    {
        lock (_gate)
        {
            _subscriptions = _subscriptions.Where(s => !ReferenceEquals(s, subscription)).ToArray();
        }
    }

    private sealed record Subscription(Type Channel, IActorRef? Actor, Action<object>? Callback);

    private sealed class Unsubscriber(EventStream stream, Subscription subscription) : IDisposable
    {
        public void Dispose() => stream.Remove(subscription);
    }
}

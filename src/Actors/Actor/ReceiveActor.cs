namespace ActorVisor.Actors;

/// <summary>
/// An actor whose behaviour is a list of typed handlers registered in its constructor with
/// <c>Receive&lt;T&gt;</c>, tried in order. <c>Become(() => { Receive&lt;T&gt;(...); })</c> builds a new list.
/// </summary>
public abstract class ReceiveActor : ActorBase
{
    private List<Func<object, bool>> _building = [];
    private Func<object, bool>[]? _initial;

    /// <summary>Handles messages of type <typeparamref name="T"/> (matching <paramref name="shouldHandle"/>, if given).</summary>
    protected void Receive<T>(Action<T> handler, Predicate<T>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _building.Add(message =>
        {
            if (message is T typed && (shouldHandle is null || shouldHandle(typed)))
            {
                handler(typed);
                return true;
            }
            return false;
        });
    }

    /// <summary>Handles messages of type <typeparamref name="T"/> that match <paramref name="shouldHandle"/>.</summary>
    protected void Receive<T>(Predicate<T> shouldHandle, Action<T> handler) => Receive(handler, shouldHandle);

    /// <summary>Handles messages of type <typeparamref name="T"/>; the handler returns whether it handled the message.</summary>
    protected void Receive<T>(Func<T, bool> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _building.Add(message => message is T typed && handler(typed));
    }

    /// <summary>Handles every message not handled by an earlier handler.</summary>
    protected void ReceiveAny(Action<object> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _building.Add(message =>
        {
            handler(message);
            return true;
        });
    }

    /// <summary>Replaces the behaviour with the handlers that <paramref name="configure"/> registers.</summary>
    protected void Become(Action configure) => Context.Become(Build(configure));

    /// <summary>Pushes the handlers that <paramref name="configure"/> registers on top of the current behaviour.</summary>
    protected void BecomeStacked(Action configure) => Context.BecomeStacked(Build(configure));

    protected internal sealed override bool Receive(object message)
    {
        _initial ??= [.. _building];
        return Match(_initial, message);
    }

    private static bool Match(Func<object, bool>[] handlers, object message)
    {
        foreach (var handler in handlers)
        {
            if (handler(message))
            {
                return true;
            }
        }
        return false;
    }

    private Receive Build(Action configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _initial ??= [.. _building];
        var saved = _building;
        _building = [];
        try
        {
            configure();
            Func<object, bool>[] handlers = [.. _building];
            return message => Match(handlers, message);
        }
        finally
        {
            _building = saved;
        }
    }
}

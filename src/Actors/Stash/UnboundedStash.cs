namespace ActorVisor.Actors;

/// <summary>The stash of one actor; used only on the actor's own thread.</summary>
internal sealed class UnboundedStash(ActorCell cell) : IStash
{
    private readonly List<(object Message, IActorRef? Sender)> _stashed = [];

    public void Stash()
    {
        var message = cell.CurrentMessage ?? throw new InvalidOperationException("Stash() can only be called while processing a message.");
        if (_stashed.Count > 0 && ReferenceEquals(_stashed[^1].Message, message))
        {
            throw new InvalidOperationException($"The message {message.GetType().Name} is already stashed.");
        }
        _stashed.Add((message, cell.CurrentSender));
    }

    public void Unstash()
    {
        if (_stashed.Count == 0)
        {
            return;
        }
        var first = _stashed[0];
        _stashed.RemoveAt(0);
        cell.Mailbox.Prepend([first]);
    }

    public void UnstashAll()
    {
        if (_stashed.Count == 0)
        {
            return;
        }
        cell.Mailbox.Prepend(_stashed.ToArray());
        _stashed.Clear();
    }

    public IReadOnlyList<object> ClearStash()
    {
        var messages = _stashed.Select(s => s.Message).ToArray();
        _stashed.Clear();
        return messages;
    }

    public List<(object Message, IActorRef? Sender)> TakeAll()
    {
        var all = _stashed.ToList();
        _stashed.Clear();
        return all;
    }
}

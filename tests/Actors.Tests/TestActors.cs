namespace ActorVisor.Actors.Tests;

internal sealed record Add(int Amount);

internal sealed record GetCount;

internal sealed record Fail(string Reason);

/// <summary>Counts; fails on <see cref="Fail"/>; answers <see cref="GetCount"/> with its count.</summary>
internal sealed class Counter : ReceiveActor
{
    private int _count;

    public Counter()
    {
        Receive<Add>(a => _count += a.Amount);
        Receive<GetCount>(_ => Sender.Tell(_count));
        Receive<Fail>(f => throw new InvalidOperationException(f.Reason));
        Receive<string>(s => Sender.Tell(s));
    }
}

/// <summary>A supervisor with a given strategy; a <see cref="Props"/> message creates a child and replies with its ref.</summary>
internal sealed class Parent : ReceiveActor
{
    private readonly SupervisorStrategy _strategy;

    public Parent(SupervisorStrategy strategy)
    {
        _strategy = strategy;
        Receive<Props>(p => Sender.Tell(Context.ActorOf(p)));
        Receive<NamedChild>(n => Sender.Tell(Context.ActorOf(n.Props, n.Name)));
        Receive<Fail>(f => throw new InvalidOperationException(f.Reason));
    }

    protected override SupervisorStrategy SupervisorStrategy() => _strategy;
}

internal sealed record NamedChild(Props Props, string Name);

internal sealed class FailsOnStart : ReceiveActor
{
    public FailsOnStart() => throw new InvalidOperationException("cannot start");
}

/// <summary>Replies to every message with the message itself.</summary>
internal sealed class Echo : ReceiveActor
{
    public Echo() => ReceiveAny(m => Sender.Tell(m));
}

/// <summary>Receives nothing it is sent; used as an Ask target that never answers.</summary>
internal sealed class Silent : ReceiveActor
{
    public Silent() => ReceiveAny(_ => { });
}

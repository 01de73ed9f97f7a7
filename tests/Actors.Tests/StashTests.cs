using ActorVisor.TestKit;

namespace ActorVisor.Actors.Tests;

public sealed class StashTests : ActorTestKit
{
    [Fact]
    public void Stashed_messages_are_processed_in_order_after_UnstashAll()
    {
        var actor = ActorOf(Props.Create(() => new Gate()));

        actor.Tell("a", TestActor);
        actor.Tell("b", TestActor);
        actor.Tell("open", TestActor);
        actor.Tell("c", TestActor);

        Assert.Equal("a", ExpectMsg<string>());
        Assert.Equal("b", ExpectMsg<string>());
        Assert.Equal("c", ExpectMsg<string>());
    }

    [Fact]
    public void Stashed_messages_survive_a_restart()
    {
        var actor = ActorOf(Props.Create(() => new Gate()));

        actor.Tell("a", TestActor);
        actor.Tell(new Fail("restart while closed"), TestActor);
        actor.Tell("open", TestActor);

        Assert.Equal("a", ExpectMsg<string>());
    }

    [Fact]
    public void Stashed_messages_go_to_dead_letters_when_the_actor_stops()
    {
        var actor = ActorOf(Props.Create(() => new Gate()));
        actor.Tell("a", TestActor);
        actor.Tell("b", TestActor);
        RunUntilIdle();
        var before = Sys.DeadLetterCount;

        Sys.Stop(actor);
        RunUntilIdle();

        Assert.Equal(before + 2, Sys.DeadLetterCount);
    }

    /// <summary>Stashes strings until "open", then echoes them.</summary>
    private sealed class Gate : ReceiveActor, IWithUnboundedStash
    {
        public Gate()
        {
            Receive<string>(s => s == "open", _ =>
            {
                Become(() => Receive<string>(s => Sender.Tell(s)));
                Stash.UnstashAll();
            });
            Receive<string>(_ => Stash.Stash());
            Receive<Fail>(f => throw new InvalidOperationException(f.Reason));
        }

        public IStash Stash { get; set; } = null!;
    }
}

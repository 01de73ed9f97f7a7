using ActorVisor.TestKit;

namespace ActorVisor.Actors.Tests;

public sealed class MailboxTests : ActorTestKit
{
    [Fact]
    public void A_full_bounded_mailbox_sends_the_overflow_to_dead_letters()
    {
        var letters = new List<DeadLetter>();
        using var subscription = Sys.EventStream.Subscribe(typeof(DeadLetter), e => letters.Add((DeadLetter)e));
        var counter = ActorOf(Props.Create(() => new Counter()).WithMailbox(MailboxOptions.Bounded(3)));
        RunUntilIdle();

        for (var i = 1; i <= 5; i++)
        {
            counter.Tell(new Add(i), TestActor);
        }
        counter.Tell(new GetCount(), TestActor);

        Assert.Equal([new Add(4), new Add(5), new GetCount()], letters.Select(l => l.Message));
        RunUntilIdle();
        counter.Tell(new GetCount(), TestActor);
        Assert.Equal(1 + 2 + 3, ExpectMsg<int>());
    }

    [Fact]
    public void System_messages_overtake_queued_user_messages()
    {
        var counter = ActorOf(Props.Create(() => new Counter()));
        Watch(counter);
        RunUntilIdle();

        counter.Tell(new GetCount(), TestActor);
        counter.Tell(new GetCount(), TestActor);
        Sys.Stop(counter);

        ExpectTerminated(counter);
        ExpectNoMsg(TimeSpan.FromSeconds(1));
    }
}

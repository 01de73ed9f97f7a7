using ActorVisor.TestKit;

namespace ActorVisor.Actors.Tests;

public sealed class DeadLetterTests : ActorTestKit
{
    [Fact]
    public void A_message_to_a_stopped_actor_goes_to_dead_letters_and_is_counted()
    {
        var letters = new List<DeadLetter>();
        using var subscription = Sys.EventStream.Subscribe(typeof(DeadLetter), e => letters.Add((DeadLetter)e));
        var counter = ActorOf(Props.Create(() => new Counter()));
        Sys.Stop(counter);
        RunUntilIdle();
        var before = Sys.DeadLetterCount;

        counter.Tell(new Add(1), TestActor);

        Assert.Equal(before + 1, Sys.DeadLetterCount);
        var letter = Assert.Single(letters);
        Assert.Equal(new Add(1), letter.Message);
        Assert.Same(counter, letter.Recipient);
        Assert.Same(TestActor, letter.Sender);
    }

    [Fact]
    public void Messages_left_in_the_mailbox_of_a_stopping_actor_go_to_dead_letters()
    {
        var counter = ActorOf(Props.Create(() => new Counter()));
        RunUntilIdle();
        var before = Sys.DeadLetterCount;

        counter.Tell(new Fail("stop"), TestActor);
        counter.Tell(Kill.Instance, TestActor);
        Sys.Stop(counter);
        counter.Tell(new Add(1), TestActor);
        counter.Tell(new Add(2), TestActor);
        RunUntilIdle();

        Assert.Equal(before + 4, Sys.DeadLetterCount);
    }

    [Fact]
    public void A_reply_to_no_sender_goes_to_dead_letters()
    {
        var echo = ActorOf(Props.Create(() => new Echo()));
        RunUntilIdle();
        var before = Sys.DeadLetterCount;

        echo.Tell("hello", ActorRefs.NoSender);
        RunUntilIdle();

        Assert.Equal(before + 1, Sys.DeadLetterCount);
    }

    [Fact]
    public void A_subscribed_actor_receives_dead_letters_from_the_event_stream()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(DeadLetter));

        Sys.DeadLetters.Tell("lost", ActorRefs.NoSender);

        Assert.Equal("lost", ExpectMsg<DeadLetter>().Message);
    }
}

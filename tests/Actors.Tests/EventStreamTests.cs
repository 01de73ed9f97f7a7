using ActorVisor.TestKit;

namespace ActorVisor.Actors.Tests;

public sealed class EventStreamTests : ActorTestKit
{
    [Fact]
    public void Subscribers_receive_events_of_the_subscribed_type_and_its_subtypes_only()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(Exception));

        Sys.EventStream.Publish(new InvalidOperationException("sub"));
        Sys.EventStream.Publish("not an exception");

        Assert.Equal("sub", ExpectMsg<InvalidOperationException>().Message);
        ExpectNoMsg(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Unsubscribed_actors_receive_nothing()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(string));
        Sys.EventStream.Unsubscribe(TestActor);

        Sys.EventStream.Publish("event");

        ExpectNoMsg(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void An_unhandled_message_is_published()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(UnhandledMessage));
        var counter = ActorOf(Props.Create(() => new Counter()));

        counter.Tell(3.14, ActorRefs.NoSender);

        var unhandled = ExpectMsg<UnhandledMessage>();
        Assert.Equal(3.14, unhandled.Message);
        Assert.Same(counter, unhandled.Recipient);
    }

    [Fact]
    public void Log_events_are_stamped_with_virtual_time()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(LogEvent));
        AdvanceTime(TimeSpan.FromSeconds(7));

        Sys.GetLogger("test").Warning("careful");

        var log = ExpectMsg<LogEvent>();
        Assert.Equal(TimeSpan.FromSeconds(7), log.Timestamp);
        Assert.Equal(LogLevel.Warning, log.Level);
    }
}

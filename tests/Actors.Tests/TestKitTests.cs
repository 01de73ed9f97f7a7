using ActorVisor.TestKit;
using Xunit.Sdk;

namespace ActorVisor.Actors.Tests;

/// <summary>The TestKit's own promises: expectations fail when they should, and waits are in virtual time.</summary>
public sealed class TestKitTests : ActorTestKit
{
    [Fact]
    public void ExpectMsg_fails_on_a_message_of_another_type()
    {
        TestActor.Tell(42, ActorRefs.NoSender);

        Assert.Throws<FailException>(() => ExpectMsg<string>());
    }

    [Fact]
    public void ExpectMsg_with_a_predicate_fails_when_it_does_not_match()
    {
        TestActor.Tell(42, ActorRefs.NoSender);

        Assert.Throws<FailException>(() => ExpectMsg<int>(n => n > 100));
    }

    [Fact]
    public void ExpectMsg_times_out_in_virtual_time()
    {
        var start = Sys.Scheduler.Now;

        Assert.Throws<FailException>(() => ExpectMsg<string>(TimeSpan.FromMinutes(5)));

        Assert.Equal(TimeSpan.FromMinutes(5), Sys.Scheduler.Now - start);
    }

    [Fact]
    public void ExpectNoMsg_fails_when_a_message_arrives()
    {
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromSeconds(2), TestActor, "late", ActorRefs.NoSender);

        Assert.Throws<FailException>(() => ExpectNoMsg(TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public void FishForMessage_skips_messages_until_one_matches()
    {
        foreach (var n in new[] { 1, 2, 3, 4 })
        {
            TestActor.Tell(n, ActorRefs.NoSender);
        }

        Assert.Equal(3, FishForMessage<int>(n => n == 3));
        Assert.Equal(4, ExpectMsg<int>());
    }

    [Fact]
    public void Within_fails_when_the_block_takes_longer_in_virtual_time()
    {
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromSeconds(2), TestActor, "slow", ActorRefs.NoSender);

        Assert.Throws<FailException>(() => Within(TimeSpan.FromSeconds(1), () => ExpectMsg("slow", TimeSpan.FromSeconds(5))));
    }

    [Fact]
    public void Within_bounds_the_default_timeout_of_expectations_inside_it()
    {
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromSeconds(2), TestActor, "in time", ActorRefs.NoSender);

        Within(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), () => ExpectMsg("in time"));
    }

    [Fact]
    public void AdvanceTime_fires_timers_in_due_order()
    {
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromSeconds(3), TestActor, "third", ActorRefs.NoSender);
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromSeconds(1), TestActor, "first", ActorRefs.NoSender);
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromSeconds(2), TestActor, "second", ActorRefs.NoSender);

        AdvanceTime(TimeSpan.FromSeconds(3));

        Assert.Equal("first", ExpectMsg<string>(TimeSpan.Zero));
        Assert.Equal("second", ExpectMsg<string>(TimeSpan.Zero));
        Assert.Equal("third", ExpectMsg<string>(TimeSpan.Zero));
    }
}

using ActorVisor.TestKit;

namespace ActorVisor.Actors.Tests;

public sealed class SelectionTests : ActorTestKit
{
    [Fact]
    public void An_absolute_path_selects_a_nested_actor()
    {
        var hypervisor = ActorOf(Props.Create(() => new Parent(SupervisorStrategy.DefaultStrategy)), "hypervisor");
        hypervisor.Tell(new NamedChild(Props.Create(() => new Parent(SupervisorStrategy.DefaultStrategy)), "dom3"), TestActor);
        var dom3 = ExpectMsg<IActorRef>();
        dom3.Tell(new NamedChild(Props.Create(() => new Echo()), "vcpu0"), TestActor);
        var vcpu0 = ExpectMsg<IActorRef>();

        Sys.ActorSelection("/user/hypervisor/dom3/vcpu0").Tell("hello", TestActor);

        Assert.Equal("hello", ExpectMsg<string>());
        Assert.Same(vcpu0, LastSender);
        Assert.Equal("/user/hypervisor/dom3/vcpu0", vcpu0.Path.ToStringWithoutAddress());
        Assert.Equal("actorvisor://test/user/hypervisor/dom3/vcpu0", vcpu0.Path.ToString());
    }

    [Fact]
    public void Wildcards_select_every_matching_actor()
    {
        ActorOf(Props.Create(() => new Echo()), "vcpu0");
        ActorOf(Props.Create(() => new Echo()), "vcpu1");
        ActorOf(Props.Create(() => new Echo()), "other");

        Sys.ActorSelection("/user/vcpu*").Tell("hi", TestActor);

        ExpectMsg("hi");
        ExpectMsg("hi");
        ExpectNoMsg(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void A_selection_that_matches_nothing_sends_to_dead_letters()
    {
        var before = Sys.DeadLetterCount;

        Sys.ActorSelection("/user/nobody/here").Tell("lost", TestActor);

        Assert.Equal(before + 1, Sys.DeadLetterCount);
        Assert.True(Sys.ActorSelection("/user/nobody").ResolveOne().IsFaulted);
    }

    [Fact]
    public void Relative_paths_resolve_from_the_actor()
    {
        var a = ActorOf(Props.Create(() => new Echo()), "a");
        ActorOf(Props.Create(() => new SelectionUser()), "b").Tell("../a", TestActor);

        Assert.Equal("from b", ExpectMsg<string>());
        Assert.Same(a, LastSender);
    }

    private sealed class SelectionUser : ReceiveActor
    {
        public SelectionUser() => Receive<string>(path => Context.ActorSelection(path).Tell("from b", Sender));
    }
}

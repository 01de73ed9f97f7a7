using ActorVisor.Config;
using ActorVisor.Config.Domain;
using ActorVisor.Host.Domains;
using ActorVisor.Scheduler;
using ActorVisor.TestKit;
using Akka.Actor;

namespace ActorVisor.Host.Tests;

/// <summary>The hypervisor actor driven directly with toolstack messages under the deterministic dispatcher.</summary>
public sealed class ToolstackTests : DeterministicTestKit
{
    private readonly IActorRef _hypervisor;
    private readonly List<string> _console = [];

    public ToolstackTests()
        : base(seed: 1)
    {
        var options = new HypervisorOptions(new RoundRobinPolicy(1_000_000), new SchedulerOptions(1), 0, line => _console.Add($"{line.Domain}: {line.Text}"), _ => { });
        _hypervisor = Sys.ActorOf(Props.Create(() => new HypervisorActor(options)), "hypervisor");
    }

    [Fact]
    public void A_created_domain_is_paused_until_unpaused_and_runs_to_poweroff()
    {
        Assert.IsType<Created>(Ask(new Create(Spec("h"), Repository.ReadKernel("x86_64", "hello"))));
        Runtime.AdvanceTo(TimeSpan.FromMilliseconds(5));
        Assert.Empty(_console);
        Assert.Equal(DomainState.Paused, Info("h").State);

        Assert.IsType<Unpaused>(Ask(new Unpause("h")));
        Runtime.AdvanceTo(TimeSpan.FromMilliseconds(10));

        Assert.Contains("h: PASS hello", _console);
        Assert.Equal(DomainState.Destroyed, Info("h").State);
        Assert.Equal("poweroff", Info("h").ExitReason);
    }

    [Fact]
    public void Pause_takes_effect_between_slices_and_unpause_lets_the_domain_go_on()
    {
        Ask(new Create(Spec("busy"), Repository.ReadKernel("x86_64", "busy")));
        Ask(new Unpause("busy"));
        Runtime.AdvanceTo(TimeSpan.FromMilliseconds(3));

        Assert.IsType<Paused>(Ask(new Pause("busy")));
        Runtime.RunUntilIdle();
        long atPause = Info("busy").Instructions;
        Runtime.AdvanceTo(TimeSpan.FromMilliseconds(20));
        long later = Info("busy").Instructions;

        // The slice under way when the pause arrived is finished: at most one slice (1 ms) more.
        Assert.InRange(atPause, 2_000_000, 4_000_000);
        Assert.InRange(later - atPause, 0, 1_000_000);
        Assert.Equal(DomainState.Paused, Info("busy").State);

        Assert.IsType<Unpaused>(Ask(new Unpause("busy")));
        Runtime.AdvanceTo(TimeSpan.FromMilliseconds(40));
        Assert.Contains("busy: PASS busy", _console);
        Assert.Equal(DomainState.Destroyed, Info("busy").State);
    }

    [Fact]
    public void Illegal_operations_are_answered_with_NotAllowed_and_a_reason()
    {
        Assert.Equal("cannot unpause ghost: no such domain", Assert.IsType<NotAllowed>(Ask(new Unpause("ghost"))).Reason);
        Ask(new Create(Spec("h"), Repository.ReadKernel("x86_64", "hello")));

        Assert.Equal("cannot pause h: it is paused", Assert.IsType<NotAllowed>(Ask(new Pause("h"))).Reason);
        Assert.Equal("domain h exists already (paused)", Assert.IsType<NotAllowed>(Ask(new Create(Spec("h"), Repository.ReadKernel("x86_64", "hello")))).Reason);
        Assert.IsType<Destroyed>(Ask(new Destroy("h")));
        Assert.Equal("cannot destroy h: it is destroyed", Assert.IsType<NotAllowed>(Ask(new Destroy("h"))).Reason);
        Assert.Equal("cannot unpause h: it is destroyed", Assert.IsType<NotAllowed>(Ask(new Unpause("h"))).Reason);
    }

    [Fact]
    public void Set_memory_raises_the_max_reservation_of_a_live_domain_and_refuses_less_than_it_holds()
    {
        Ask(new Create(Spec("h"), Repository.ReadKernel("x86_64", "hello")));
        Assert.Equal(16L << 20, Info("h").MaxMemoryBytes);

        Assert.Equal(new MemorySet("h", 32L << 20), Ask(new SetMemory("h", (32L << 20) + 100)));
        Assert.Equal(32L << 20, Info("h").MaxMemoryBytes);

        var refused = Assert.IsType<NotAllowed>(Ask(new SetMemory("h", 8L << 20)));
        Assert.Equal("cannot set the memory of h to 2048 pages: it holds 4096", refused.Reason);
        Assert.Equal(32L << 20, Info("h").MaxMemoryBytes);

        Assert.Equal("cannot set the memory of ghost: no such domain", Assert.IsType<NotAllowed>(Ask(new SetMemory("ghost", 1L << 30))).Reason);
        Ask(new Destroy("h"));
        Assert.Equal("cannot set the memory of h: it is destroyed", Assert.IsType<NotAllowed>(Ask(new SetMemory("h", 1L << 30))).Reason);
    }

    [Fact]
    public void A_kernel_that_is_not_an_elf_image_is_refused_without_an_exception()
    {
        var refused = Assert.IsType<NotAllowed>(Ask(new Create(Spec("junk"), new byte[] { 1, 2, 3, 4 })));

        Assert.StartsWith("cannot create junk: kernel refused:", refused.Reason, StringComparison.Ordinal);
        Assert.Empty(Assert.IsType<DomainsListed>(Ask(new ListDomains())).Domains);
    }

    private object Ask(object message)
    {
        var reply = _hypervisor.Ask(message, TimeSpan.FromSeconds(1));
        Runtime.RunUntilIdle();
        Assert.True(reply.IsCompletedSuccessfully);
        return reply.Result;
    }

    private DomainInfo Info(string name) =>
        Assert.IsType<DomainsListed>(Ask(new ListDomains())).Domains.Last(d => d.Name == name);

    private static DomainSpec Spec(string name) => new(
        name,
        DomainType.Pv,
        name + ".elf",
        null,
        "",
        16L << 20,
        16L << 20,
        1,
        new SchedulerParameters(256, 0),
        [],
        [],
        LifecycleAction.Destroy,
        LifecycleAction.Destroy,
        LifecycleAction.Destroy,
        new ConfigOrigin("<test>", 1, 1));
}

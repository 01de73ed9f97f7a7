using ActorVisor.Host.Domains;
using Xunit;

namespace ActorVisor.Host.Tests;

public sealed class DomainLifecycleTests
{
    public static TheoryData<DomainState, DomainEvent, DomainState> Allowed() => new()
    {
        { DomainState.Paused, DomainEvent.Unpause, DomainState.Running },
        { DomainState.Running, DomainEvent.Pause, DomainState.Paused },
        { DomainState.Running, DomainEvent.GuestShutdown, DomainState.Shutdown },
        { DomainState.Paused, DomainEvent.GuestShutdown, DomainState.Shutdown },
        { DomainState.Running, DomainEvent.GuestCrash, DomainState.Crashed },
        { DomainState.Running, DomainEvent.HostFault, DomainState.Crashed },
        { DomainState.Shutdown, DomainEvent.HostFault, DomainState.Crashed },
        { DomainState.Shutdown, DomainEvent.Restart, DomainState.Running },
        { DomainState.Crashed, DomainEvent.Restart, DomainState.Running },
        { DomainState.Paused, DomainEvent.Destroy, DomainState.Destroyed },
        { DomainState.Crashed, DomainEvent.Destroy, DomainState.Destroyed },
    };

    [Theory]
    [MemberData(nameof(Allowed))]
    public void An_allowed_event_moves_the_domain_to_its_next_state(DomainState from, DomainEvent domainEvent, DomainState to)
    {
        Assert.True(DomainLifecycle.TryNext(from, domainEvent, out var next));
        Assert.Equal(to, next);
    }

    [Theory]
    [InlineData(DomainState.Paused, DomainEvent.Pause)]
    [InlineData(DomainState.Running, DomainEvent.Unpause)]
    [InlineData(DomainState.Running, DomainEvent.Restart)]
    [InlineData(DomainState.Shutdown, DomainEvent.Unpause)]
    [InlineData(DomainState.Shutdown, DomainEvent.GuestCrash)]
    [InlineData(DomainState.Crashed, DomainEvent.GuestShutdown)]
    public void An_event_the_state_does_not_allow_is_refused(DomainState from, DomainEvent domainEvent)
    {
        Assert.False(DomainLifecycle.TryNext(from, domainEvent, out _));
    }

    [Fact]
    public void Destroyed_is_final()
    {
        foreach (var domainEvent in Enum.GetValues<DomainEvent>())
        {
            Assert.False(DomainLifecycle.TryNext(DomainState.Destroyed, domainEvent, out _), $"{domainEvent} left Destroyed");
        }
    }

    [Fact]
    public void Every_state_but_destroyed_can_be_destroyed_and_only_a_stopped_guest_restarts()
    {
        foreach (var state in Enum.GetValues<DomainState>().Where(s => s != DomainState.Destroyed))
        {
            Assert.True(DomainLifecycle.TryNext(state, DomainEvent.Destroy, out var destroyed) && destroyed == DomainState.Destroyed, $"{state} cannot be destroyed");
            bool stopped = state is DomainState.Shutdown or DomainState.Crashed;
            Assert.Equal(stopped, DomainLifecycle.TryNext(state, DomainEvent.Restart, out _));
            Assert.Equal(!stopped, DomainLifecycle.IsLive(state));
        }
    }
}

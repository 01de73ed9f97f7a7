namespace ActorVisor.Actors;

/// <summary>Implemented by actors that stash; the kernel sets <see cref="Stash"/>. On restart the stash is unstashed; on stop it goes to dead letters.</summary>
public interface IWithUnboundedStash
{
    IStash Stash { get; set; }
}

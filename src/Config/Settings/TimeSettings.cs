namespace ActorVisor.Config.Settings;

/// <summary>deterministic: one thread in virtual-time order with seeded tie-breaks; parallel: one thread per physical CPU.</summary>
public enum TimeMode
{
    Deterministic,
    Parallel,
}

/// <summary>actorvisor.time: how virtual time advances and the seed of deterministic runs.</summary>
public sealed record TimeSettings(TimeMode Mode, long Seed, long InstructionsPerNs);

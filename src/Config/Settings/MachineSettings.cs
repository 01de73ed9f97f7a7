namespace ActorVisor.Config.Settings;

/// <summary>actorvisor.machine: the simulated host.</summary>
public sealed record MachineSettings(int PhysicalCpus, long MemoryBytes);

namespace ActorVisor.Host.Domains;

/// <summary>How many physical CPUs the scheduler hands out and how virtual time relates to retired instructions.</summary>
public sealed record SchedulerOptions(int PhysicalCpus, double NanosecondsPerInstruction = 1.0);

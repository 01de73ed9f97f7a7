namespace ActorVisor.Host.Domains;

/// <summary>How many physical CPUs the scheduler hands out and how virtual time relates to retired instructions.</summary>
/// <param name="PhysicalCpus">Physical CPUs, each running one vCPU slice at a time.</param>
/// <param name="NanosecondsPerInstruction">Virtual time one retired guest instruction takes.</param>
/// <param name="PreemptionCheckNs">
/// The longest a vCPU runs before its physical CPU checks whether a wake-up asked to preempt it:
/// slices are run in segments of at most this length (and never past the next timer deadline of a
/// blocked vCPU), and a preempted slice ends at the end of its current segment.
/// </param>
public sealed record SchedulerOptions(int PhysicalCpus, double NanosecondsPerInstruction = 1.0, long PreemptionCheckNs = 100_000);

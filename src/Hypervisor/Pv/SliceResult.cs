using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>The outcome of one slice of a vCPU: why it stopped, how many instructions retired, and details.</summary>
/// <param name="Outcome">Why the slice ended.</param>
/// <param name="Retired">Instructions retired in this slice.</param>
/// <param name="Reason">For <see cref="SliceOutcome.ShutDown"/> and <see cref="SliceOutcome.Crashed"/>: the shutdown reason.</param>
/// <param name="Detail">For <see cref="SliceOutcome.Crashed"/>: what the guest did.</param>
public readonly record struct SliceResult(SliceOutcome Outcome, long Retired, ShutdownReason Reason = ShutdownReason.Poweroff, string Detail = "");

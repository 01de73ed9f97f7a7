using ActorVisor.Abi;

namespace ActorVisor.Host.Boot;

/// <summary>The outcome of a boot.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Reason">The guest's shutdown reason, when it shut down or crashed.</param>
/// <param name="Detail">A sentence for humans: the refusal, the crash, or the reason.</param>
/// <param name="ConsoleLines">Everything the guest printed (console_io and the console ring), line by line.</param>
/// <param name="InstructionsRetired">Guest instructions retired.</param>
/// <param name="VirtualTimeNs">The guest's system time at the end.</param>
/// <param name="UnimplementedHypercalls">Hypercalls answered with -ENOSYS and how often (see <see cref="Hypervisor.Pv.PvDomain.UnimplementedHypercalls"/>).</param>
public sealed record BootResult(
    BootStatus Status,
    ShutdownReason? Reason,
    string Detail,
    IReadOnlyList<string> ConsoleLines,
    long InstructionsRetired,
    long VirtualTimeNs,
    IReadOnlyDictionary<int, long> UnimplementedHypercalls)
{
    /// <summary>The process exit code for this outcome.</summary>
    public int ExitCode => (int)Status;
}

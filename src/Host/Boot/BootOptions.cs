namespace ActorVisor.Host.Boot;

/// <summary>What to boot and how: one PV domain on one vCPU thread, driven directly.</summary>
/// <param name="Kernel">The kernel image (an ELF file with Xen notes).</param>
/// <param name="MemoryMiB">The domain's RAM in MiB.</param>
/// <param name="Vcpus">vCPUs the domain has; vCPU 0 runs, the others start offline until the guest brings them up.</param>
/// <param name="Initrd">A boot module (initrd) the builder places after the kernel, or null.</param>
/// <param name="CommandLine">The kernel command line (start_info.cmd_line).</param>
/// <param name="VirtualTimeout">Give up when the guest's virtual system time reaches this.</param>
/// <param name="WallClockTimeout">Give up after this much host time as well (null: only virtual time counts, which keeps runs deterministic).</param>
/// <param name="Seed">Seeds the little the host chooses freely (the wall clock at boot); equal seeds give equal runs.</param>
/// <param name="NanosecondsPerInstruction">Virtual time per retired instruction.</param>
/// <param name="SliceInstructions">Instructions per slice between console drains and timer checks.</param>
public sealed record BootOptions(
    ReadOnlyMemory<byte> Kernel,
    int MemoryMiB = 64,
    int Vcpus = 1,
    string CommandLine = "",
    TimeSpan? VirtualTimeout = null,
    TimeSpan? WallClockTimeout = null,
    ulong Seed = 0,
    double NanosecondsPerInstruction = 1.0,
    long SliceInstructions = 200_000,
    byte[]? Initrd = null)
{
    /// <summary>The virtual time limit used when none is given: 10 s.</summary>
    public static readonly TimeSpan DefaultVirtualTimeout = TimeSpan.FromSeconds(10);
}

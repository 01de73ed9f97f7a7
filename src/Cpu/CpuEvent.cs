namespace ActorVisor.Cpu;

/// <summary>The kind of event a CPU offers to its sink.</summary>
public enum CpuEventKind
{
    /// <summary>A processor exception (fault or trap): vector, error code and, for #PF, the faulting address.</summary>
    Exception,

    /// <summary>INT n, INT3 or INTO executed (before any IDT check); Vector names the interrupt.</summary>
    SoftwareInterrupt,

    /// <summary>SYSCALL executed (before the architectural checks and transfer).</summary>
    Syscall,

    /// <summary>SYSENTER executed (before the architectural checks and transfer).</summary>
    Sysenter,

    /// <summary>HLT executed at CPL 0; Native halts the CPU until an interrupt arrives.</summary>
    Halt,
}

/// <summary>The privileged operation behind a #GP(0) raised because CPL or IOPL did not allow it.</summary>
public enum PrivilegedOperation
{
    /// <summary>The exception was not caused by a privilege check.</summary>
    None,
    Hlt,
    Cli,
    Sti,
    MovToCr,
    MovFromCr,
    MovToDr,
    MovFromDr,
    Rdmsr,
    Wrmsr,
    In,
    Out,
    Ins,
    Outs,
    Lgdt,
    Lidt,
    Lldt,
    Ltr,
    Invlpg,
    Clts,
    Wbinvd,
    Invd,
    Swapgs,
    Sysret,
    Sysexit,
    Rdtsc,
    Rdtscp,
    Rdpmc,
    Xsetbv,
    Iret,
}

/// <summary>
/// One event offered to the sink. For a privilege failure, <see cref="Operation"/> names the instruction
/// and <see cref="Register"/>/<see cref="ControlRegister"/> its operand, so that a PV hypervisor can
/// emulate it without decoding (Register is a GPR index 0..15, or -1 when the operand is not a register).
/// </summary>
public readonly record struct CpuEvent(
    CpuEventKind Kind,
    byte Vector,
    uint ErrorCode,
    bool HasErrorCode,
    ulong FaultAddress,
    int InstructionLength,
    PrivilegedOperation Operation,
    int Register,
    int ControlRegister,
    int OperandSizeBytes)
{
    /// <summary>True for #PF, where <see cref="FaultAddress"/> is the CR2 value.</summary>
    public bool IsPageFault => Kind == CpuEventKind.Exception && Vector == ExceptionVector.PageFault;
}

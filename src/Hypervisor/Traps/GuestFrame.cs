namespace ActorVisor.Hypervisor.Traps;

/// <summary>The registers a bounce or an iret reads and changes; the CPU integration copies them in and out.</summary>
/// <param name="InKernelMode">64-bit: the vCPU's software kernel-mode flag. 32-bit: CS RPL is 1.</param>
public readonly record struct GuestFrame(
    ulong Rip,
    ulong Rsp,
    ulong Rflags,
    ushort Cs,
    ushort Ss,
    ulong Rax,
    ulong Rcx,
    ulong R11,
    bool InKernelMode);

/// <summary>
/// The outcome of delivering an exception, event or syscall to the guest: bytes to store at
/// <see cref="FrameAddress"/> on the guest stack, the registers to resume with, and the changes to
/// the vCPU's mode and event mask.
/// </summary>
public sealed record BounceResult(
    ulong FrameAddress,
    byte[] Frame,
    GuestFrame Resume,
    bool SwitchedToKernelMode,
    bool MaskEvents);

/// <summary>Why a bounce or an iret cannot proceed; the domain is crashed in each case.</summary>
public enum TrapError
{
    None = 0,

    /// <summary>The guest registered no handler (address 0 or a null selector) for what happened.</summary>
    NoHandler,

    /// <summary>iret to user mode without a user page table (MMUEXT_NEW_USER_BASEPTR).</summary>
    NoUserPageTable,

    /// <summary>iret to ring 0 (32-bit), which a PV guest may never run in.</summary>
    ReturnToRingZero,
}

/// <summary>The register state after an iret hypercall.</summary>
public sealed record IretResult(GuestFrame Resume, bool ToUserMode, bool UpcallMask, TrapError Error);

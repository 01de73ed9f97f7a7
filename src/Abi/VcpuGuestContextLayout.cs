namespace ActorVisor.Abi;

/// <summary>
/// Offsets in struct vcpu_guest_context (arch-x86/xen.h) and its struct cpu_user_regs
/// (xen-x86_64.h, xen-x86_32.h), the argument of VCPUOP_initialise. Register and pointer-sized
/// fields are "unsigned long": 8 bytes for 64-bit guests, 4 for 32-bit ones. Sizes: 5168 bytes
/// (64-bit), 2800 bytes (32-bit).
/// </summary>
public sealed record VcpuGuestContextLayout(
    int Size,
    int LongSize,
    int UserRegs,
    int TrapContext,
    int TrapInfoSize,
    int LdtBase,
    int GdtFrames,
    int GdtEntries,
    int KernelSs,
    int CtrlReg,
    int DebugReg,
    int EventCallback,
    int FailsafeCallback,
    int SyscallCallback,
    int FsBase,
    int GsBaseKernel,
    int GsBaseUser,
    int RegsRip,
    int RegsCs,
    int RegsRflags,
    int RegsRsp,
    int RegsSs,
    int RegsEs)
{
    /// <summary>fpu_ctxt: 512 bytes in FXSAVE format at offset 0.</summary>
    public const int FpuContext = 0;

    /// <summary>flags (VGCF_*) follow the FPU block.</summary>
    public const int Flags = 512;

    public const int GdtFrameCount = 16;

    /// <summary>
    /// 64-bit: cpu_user_regs is r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi,
    /// rdi (8 bytes each), error_code and entry_vector (u32), rip, cs (u16 + pad, then
    /// saved_upcall_mask), rflags, rsp, and ss, es, ds, fs, gs in 8-byte slots: 200 bytes.
    /// The event, failsafe and syscall callbacks are plain addresses.
    /// </summary>
    public static readonly VcpuGuestContextLayout Bits64 = new(
        Size: 5168, LongSize: 8, UserRegs: 520, TrapContext: 720, TrapInfoSize: 16, LdtBase: 4816, GdtFrames: 4832, GdtEntries: 4960,
        KernelSs: 4968, CtrlReg: 4984, DebugReg: 5048, EventCallback: 5112, FailsafeCallback: 5120, SyscallCallback: 5128,
        FsBase: 5144, GsBaseKernel: 5152, GsBaseUser: 5160, RegsRip: 128, RegsCs: 136, RegsRflags: 144, RegsRsp: 152, RegsSs: 160, RegsEs: 168);

    /// <summary>
    /// 32-bit: cpu_user_regs is ebx, ecx, edx, esi, edi, ebp, eax (4 bytes each), error_code and
    /// entry_vector (u16), eip, cs (u16, saved_upcall_mask, pad), eflags, esp, and ss, es, ds, fs,
    /// gs in 4-byte slots: 68 bytes. Callbacks are {cs, eip} pairs: event cs @2780 eip @2784,
    /// failsafe cs @2788 eip @2792. There are no segment bases.
    /// </summary>
    public static readonly VcpuGuestContextLayout Bits32 = new(
        Size: 2800, LongSize: 4, UserRegs: 516, TrapContext: 584, TrapInfoSize: 8, LdtBase: 2632, GdtFrames: 2640, GdtEntries: 2704,
        KernelSs: 2708, CtrlReg: 2716, DebugReg: 2748, EventCallback: 2780, FailsafeCallback: 2788, SyscallCallback: -1,
        FsBase: -1, GsBaseKernel: -1, GsBaseUser: -1, RegsRip: 32, RegsCs: 36, RegsRflags: 40, RegsRsp: 44, RegsSs: 48, RegsEs: 52);

    public static VcpuGuestContextLayout For(GuestWidth width) => width == GuestWidth.Bits64 ? Bits64 : Bits32;

    /// <summary>The offset of the LDT entry count (right after ldt_base).</summary>
    public int LdtEntries => LdtBase + LongSize;

    /// <summary>The offset of kernel_sp (right after kernel_ss).</summary>
    public int KernelSp => KernelSs + LongSize;

    /// <summary>
    /// The offset of general register <paramref name="index"/> (x86 numbering: 0 rax, 1 rcx, 2 rdx,
    /// 3 rbx, 4 rsp, 5 rbp, 6 rsi, 7 rdi, 8-15 r8-r15) within cpu_user_regs.
    /// </summary>
    public int RegsGpr(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, LongSize == 8 ? 15 : 7);
        if (index == 4)
        {
            return RegsRsp;
        }

        ReadOnlySpan<int> slot64 = [10, 11, 12, 5, -1, 4, 13, 14, 9, 8, 7, 6, 3, 2, 1, 0];
        ReadOnlySpan<int> slot32 = [6, 1, 2, 0, -1, 5, 3, 4];
        return (LongSize == 8 ? slot64[index] : slot32[index]) * LongSize;
    }
}

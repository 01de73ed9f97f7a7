using System.Buffers.Binary;
using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Traps;

/// <summary>
/// The iret hypercall. 64-bit: the guest's stack holds the 72-byte iret_context {rax, r11, rcx,
/// flags, rip, cs, rflags, rsp, ss}; the vCPU returns to user mode when cs has RPL 3 (which needs
/// a user page table), IOPL and VM are cleared and IF forced in rflags, r11/rcx are restored unless
/// VGCF_in_syscall asks for SYSRET semantics, and the upcall mask becomes !IF of the saved flags.
/// 32-bit: the stack holds eax, eip, cs, eflags and, for ring 2/3, esp and ss.
/// </summary>
public static class IretFrames
{
    /// <summary>Size of the 64-bit iret_context.</summary>
    public const int ContextSize64 = 72;

    /// <summary>Most bytes a 32-bit iret frame occupies (eax, eip, cs, eflags, esp, ss).</summary>
    public const int ContextSize32 = 24;

    private const ulong InterruptFlag = 1ul << 9;
    private const ulong IoplAndVm = (3ul << 12) | (1ul << 17);

    public static IretResult Resolve64(GuestFrame current, ReadOnlySpan<byte> context, bool hasUserPageTable)
    {
        ulong rax = Word64(context, 0), r11 = Word64(context, 1), rcx = Word64(context, 2), flags = Word64(context, 3), rip = Word64(context, 4);
        ulong cs = Word64(context, 5), rflags = Word64(context, 6), rsp = Word64(context, 7), ss = Word64(context, 8);
        bool toUser = (cs & 3) == 3;
        if (toUser && !hasUserPageTable)
        {
            return new IretResult(current, false, false, TrapError.NoUserPageTable);
        }

        ulong newFlags = (rflags & ~IoplAndVm) | InterruptFlag | 2;
        bool inSyscall = (flags & VcpuGuestContextFlags.InSyscall) != 0;
        var resume = current with
        {
            Rax = rax,
            Rip = rip,
            Cs = (ushort)(cs | 3),
            Ss = (ushort)(ss | 3),
            Rsp = rsp,
            Rflags = newFlags,
            Rcx = inSyscall ? rip : rcx,
            R11 = inSyscall ? newFlags : r11,
            InKernelMode = !toUser,
        };
        return new IretResult(resume, toUser, (rflags & InterruptFlag) == 0, TrapError.None);
    }

    public static IretResult Resolve32(GuestFrame current, ReadOnlySpan<byte> context)
    {
        uint eax = Word32(context, 0), eip = Word32(context, 1), cs = Word32(context, 2), eflags = Word32(context, 3);
        if ((cs & 3) == 0)
        {
            return new IretResult(current, false, false, TrapError.ReturnToRingZero);
        }

        bool toOuterRing = (cs & 3) >= 2;
        var resume = current with
        {
            Rax = eax,
            Rip = eip,
            Cs = (ushort)cs,
            Rflags = ((eflags & ~IoplAndVm) | InterruptFlag | 2) & 0xFFFF_FFFF,
            Rsp = toOuterRing ? Word32(context, 4) : (uint)(current.Rsp + 16),
            Ss = toOuterRing ? (ushort)Word32(context, 5) : current.Ss,
            InKernelMode = !toOuterRing,
        };
        return new IretResult(resume, toOuterRing, (eflags & InterruptFlag) == 0, TrapError.None);
    }

    private static ulong Word64(ReadOnlySpan<byte> context, int index) => BinaryPrimitives.ReadUInt64LittleEndian(context[(index * 8)..]);

    private static uint Word32(ReadOnlySpan<byte> context, int index) => BinaryPrimitives.ReadUInt32LittleEndian(context[(index * 4)..]);
}

using System.Buffers.Binary;
using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Traps;

/// <summary>
/// Builds the frames Xen pushes when it bounces an exception, event upcall or system call into a
/// PV guest. 64-bit: the stack is the kernel stack from stack_switch when the vCPU was in user
/// mode, else the current RSP, rounded down to 16 bytes; below it go rcx, r11, [error code], rip,
/// cs (RPL 0 for kernel-mode contexts) with the saved upcall mask in bits 32-39, rflags, rsp, ss.
/// 32-bit: for a ring 2/3 context the kernel stack is used and ss, esp are pushed first; then
/// eflags, cs with the mask in bits 16-23, eip and [error code]. The saved flags show IF as the
/// inverse of the saved upcall mask.
/// </summary>
public static class BounceFrames
{
    private const ulong InterruptFlag = 1ul << 9;
    private const ulong ClearedOnEntry = (1ul << 8) | (1ul << 14) | (1ul << 16) | (1ul << 17) | (1ul << 18);

    /// <summary>The vectors for which the CPU pushes an error code (8, 10-14, 17, 21, 29, 30).</summary>
    public static bool HasErrorCode(int vector) => vector is 8 or (>= 10 and <= 14) or 17 or 21 or 29 or 30;

    public static TrapError Build64(GuestFrame context, ulong kernelSp, ulong handler, uint? errorCode, bool upcallMasked, bool maskEvents, out BounceResult? result)
    {
        result = null;
        if (handler == 0)
        {
            return TrapError.NoHandler;
        }

        ulong stack = (context.InKernelMode ? context.Rsp : kernelSp) & ~15ul;
        int words = errorCode is null ? 7 : 8;
        var frame = new byte[words * 8];
        int i = 0;
        void Push(ulong value)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(frame.AsSpan(i * 8), value);
            i++;
        }

        ushort savedCs = context.InKernelMode ? (ushort)(context.Cs & ~3) : context.Cs;
        Push(context.Rcx);
        Push(context.R11);
        if (errorCode is { } code)
        {
            Push(code);
        }

        Push(context.Rip);
        Push(savedCs | ((ulong)(upcallMasked ? 1 : 0) << 32));
        Push(SavedFlags(context.Rflags, upcallMasked));
        Push(context.Rsp);
        Push(context.Ss);
        ulong frameAddress = stack - (ulong)frame.Length;
        var resume = context with
        {
            Rip = handler,
            Rsp = frameAddress,
            Cs = Selectors.KernelCs64,
            Ss = Selectors.KernelSs64,
            Rflags = context.Rflags & ~ClearedOnEntry,
            InKernelMode = true,
        };
        result = new BounceResult(frameAddress, frame, resume, !context.InKernelMode, maskEvents);
        return TrapError.None;
    }

    public static TrapError Build32(GuestFrame context, ushort kernelSs, ulong kernelSp, ushort handlerCs, ulong handler, uint? errorCode, bool upcallMasked, bool maskEvents, out BounceResult? result)
    {
        result = null;
        if ((handlerCs & ~3) == 0)
        {
            return TrapError.NoHandler;
        }

        bool fromUser = (context.Cs & 3) >= 2;
        var words = new List<uint>();
        if (errorCode is { } code)
        {
            words.Add(code);
        }

        words.Add((uint)context.Rip);
        words.Add(context.Cs | ((uint)(upcallMasked ? 1 : 0) << 16));
        words.Add((uint)SavedFlags(context.Rflags, upcallMasked));
        if (fromUser)
        {
            words.Add((uint)context.Rsp);
            words.Add(context.Ss);
        }

        var frame = new byte[words.Count * 4];
        for (int w = 0; w < words.Count; w++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(w * 4), words[w]);
        }

        ulong stack = fromUser ? kernelSp : context.Rsp;
        ulong frameAddress = (uint)(stack - (ulong)frame.Length);
        var resume = context with
        {
            Rip = handler,
            Rsp = frameAddress,
            Cs = handlerCs,
            Ss = fromUser ? kernelSs : context.Ss,
            Rflags = context.Rflags & ~(ClearedOnEntry & ~(1ul << 18)),
            InKernelMode = true,
        };
        result = new BounceResult(frameAddress, frame, resume, fromUser, maskEvents);
        return TrapError.None;
    }

    private static ulong SavedFlags(ulong rflags, bool upcallMasked) =>
        upcallMasked ? rflags & ~InterruptFlag : rflags | InterruptFlag;
}

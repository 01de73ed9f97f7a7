using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Cpu;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>
/// Bounce frames: how exceptions, events, system calls and the failsafe callback enter the guest
/// kernel, with Xen's frame layouts (64-bit: rcx, r11, [error], rip, cs | mask &lt;&lt; 32, rflags, rsp,
/// ss, written below the 16-byte aligned stack; 32-bit: [error], eip, cs | mask &lt;&lt; 16, eflags,
/// [esp, ss]). A frame that cannot be written crashes the domain, as in Xen.
/// </summary>
public sealed partial class PvVcpu
{
    private const ulong FlagTf = 1ul << 8;
    private const ulong FlagIopl = 3ul << 12;
    private const ulong FlagNt = 1ul << 14;
    private const ulong FlagRf = 1ul << 16;
    private const ulong FlagVm = 1ul << 17;
    private const ulong FlagAc = 1ul << 18;

    /// <summary>Delivers an exception (RIP at the faulting instruction, or past it for traps) through the virtual IDT.</summary>
    private EventDisposition Reflect(byte vector, uint? errorCode)
    {
        var entry = _trapTable[vector];
        if (entry.Address == 0 || (_domain.Width == GuestWidth.Bits32Pae && (entry.Cs & ~3) == 0))
        {
            return CrashFromEvent($"vector {vector} (error {errorCode?.ToString("x") ?? "none"}) at rip {Cpu.Rip:x} has no handler in the trap table");
        }

        return Bounce(entry.Cs, entry.Address, errorCode, entry.MasksEvents, failsafe: false)
            ? EventDisposition.Handled
            : CrashFromEvent($"the bounce frame for vector {vector} could not be written below rsp {Cpu.GetGpr(RegRsp):x}");
    }

    /// <summary>Runs the event callback when an event is pending and unmasked (and a callback is registered).</summary>
    private void DeliverEventIfDeliverable()
    {
        if (!_eventCallback.IsSet || !_domain.SharedInfo.EventDeliverable(Id))
        {
            return;
        }

        if (!Bounce(_eventCallback.Cs, _eventCallback.Address, null, maskEvents: true, failsafe: false))
        {
            CrashFromEvent("the event upcall frame could not be written");
        }
    }

    /// <summary>Builds a bounce frame and enters <paramref name="address"/> in guest kernel mode; false when the frame write faulted.</summary>
    private bool Bounce(ushort cs32, ulong address, uint? errorCode, bool maskEvents, bool failsafe) =>
        _domain.Width == GuestWidth.Bits64
            ? Bounce64(address, errorCode, maskEvents, failsafe)
            : Bounce32(cs32, address, errorCode, maskEvents, failsafe);

    private bool Bounce64(ulong address, uint? errorCode, bool maskEvents, bool failsafe)
    {
        var shared = _domain.SharedInfo;
        bool savedMask = shared.UpcallMasked(Id);
        bool wasKernel = _mmu.InKernelMode;
        ulong rip = Cpu.Rip;
        ulong rflags = Cpu.Rflags;
        ulong rsp = Cpu.GetGpr(RegRsp);
        ushort cs = Cpu.GetSegment(SegCs).Selector;
        ushort ss = Cpu.GetSegment(SegSs).Selector;
        if (!wasKernel)
        {
            ToggleGuestMode();
        }

        ulong frameTop = (wasKernel ? rsp : _kernelSp) & ~15ul;
        Span<ulong> words = stackalloc ulong[11];
        int n = 0;
        words[n++] = Cpu.GetGpr(RegRcx);
        words[n++] = Cpu.GetGpr(RegR11);
        if (failsafe)
        {
            words[n++] = Cpu.GetSegment(SegDs).Selector;
            words[n++] = Cpu.GetSegment(SegEs).Selector;
            words[n++] = Cpu.GetSegment(SegFs).Selector;
            words[n++] = Cpu.GetSegment(SegGs).Selector;
        }

        if (errorCode is { } error)
        {
            words[n++] = error;
        }

        words[n++] = rip;
        words[n++] = (ulong)(wasKernel ? (ushort)(cs & ~3) : cs) | ((savedMask ? 1ul : 0ul) << 32);
        words[n++] = (rflags & ~(FlagIf | FlagIopl)) | (savedMask ? 0 : FlagIf) | ((ulong)_virtualIopl << 12);
        words[n++] = rsp;
        words[n++] = ss;
        ulong frameBase = frameTop - (ulong)(n * 8);
        Span<byte> bytes = stackalloc byte[n * 8];
        for (int i = 0; i < n; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes[(i * 8)..], words[i]);
        }

        if (!_guest.TryWrite(frameBase, bytes))
        {
            return false;
        }

        Cpu.SetSegment(SegCs, SegmentState.Code64(Selectors.KernelCs64, 3));
        Cpu.SetSegment(SegSs, SegmentState.Data(Selectors.KernelSs64, 3));
        Cpu.SetGpr(RegRsp, frameBase);
        Cpu.Rflags = (rflags & ~(FlagTf | FlagNt | FlagRf | FlagVm | FlagAc | FlagIopl)) | FlagIf | 2;
        Cpu.Rip = address;
        if (maskEvents)
        {
            shared.SetUpcallMask(Id, true);
        }

        return true;
    }

    private bool Bounce32(ushort handlerCs, ulong address, uint? errorCode, bool maskEvents, bool failsafe)
    {
        var shared = _domain.SharedInfo;
        bool savedMask = shared.UpcallMasked(Id);
        ulong eip = (uint)Cpu.Rip;
        ulong eflags = (uint)Cpu.Rflags;
        ulong esp = (uint)Cpu.GetGpr(RegRsp);
        ushort cs = Cpu.GetSegment(SegCs).Selector;
        ushort ss = Cpu.GetSegment(SegSs).Selector;
        bool fromUser = (cs & 3) >= 2;
        Span<uint> words = stackalloc uint[10];
        int n = 0;
        if (failsafe)
        {
            words[n++] = Cpu.GetSegment(SegDs).Selector;
            words[n++] = Cpu.GetSegment(SegEs).Selector;
            words[n++] = Cpu.GetSegment(SegFs).Selector;
            words[n++] = Cpu.GetSegment(SegGs).Selector;
        }

        if (errorCode is { } error)
        {
            words[n++] = error;
        }

        words[n++] = (uint)eip;
        words[n++] = cs | ((savedMask ? 1u : 0u) << 16);
        words[n++] = (uint)((eflags & ~(FlagIf | FlagIopl)) | (savedMask ? 0 : FlagIf) | ((ulong)_virtualIopl << 12));
        if (fromUser)
        {
            words[n++] = (uint)esp;
            words[n++] = ss;
        }

        ulong top = fromUser ? (uint)_kernelSp : esp;
        ulong frameBase = (top - (ulong)(n * 4)) & 0xFFFF_FFFF;
        Span<byte> bytes = stackalloc byte[n * 4];
        for (int i = 0; i < n; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes[(i * 4)..], words[i]);
        }

        if (!_guest.TryWrite(frameBase, bytes))
        {
            return false;
        }

        ushort newCs = (ushort)((handlerCs & ~3) | 1);
        Cpu.SetSegment(SegCs, SegmentState.Code32(newCs, 1));
        if (fromUser)
        {
            Cpu.SetSegment(SegSs, SegmentState.Data((ushort)((_kernelSs & ~3) | 1), 1));
        }

        Cpu.SetGpr(RegRsp, frameBase);
        Cpu.Rflags = (eflags & ~(FlagTf | FlagNt | FlagRf | FlagVm | FlagIopl)) | FlagIf | 2;
        Cpu.Rip = (uint)address;
        if (maskEvents)
        {
            shared.SetUpcallMask(Id, true);
        }

        return true;
    }

    /// <summary>64-bit: switches between guest kernel and user mode: root table and GS base, as Xen's toggle_guest_mode.</summary>
    private void ToggleGuestMode()
    {
        ulong gs = Cpu.GetSegment(SegGs).Base;
        if (_mmu.InKernelMode)
        {
            _gsBaseKernel = gs;
            Cpu.SetGsBase(_gsBaseUser);
        }
        else
        {
            _gsBaseUser = gs;
            Cpu.SetGsBase(_gsBaseKernel);
        }

        _mmu.InKernelMode = !_mmu.InKernelMode;
        Cpu.PagingAsSupervisor = _mmu.InKernelMode;
        LoadCr3();
    }
}

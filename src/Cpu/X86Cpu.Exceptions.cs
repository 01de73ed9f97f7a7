using Iced.Intel;

namespace ActorVisor.Cpu;

/// <summary>
/// Raising exceptions and delivering interrupts. Every exception is first offered to the sink; only
/// when the sink answers <see cref="EventDisposition.Native"/> does the CPU deliver it through its own
/// IDT (16-byte gates in long mode, 8-byte gates in protected mode), switching stacks through the TSS
/// when the privilege level changes. A fault while delivering becomes #DF, and a fault while
/// delivering #DF shuts the CPU down.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private enum InterruptSource
    {
        Exception,
        Software,
        External,
    }

    private bool RaiseFault(byte vector, uint errorCode, ulong address = 0)
    {
        _faultPending = true;
        _nonCanonicalFault = false;
        _pendingEvent = new CpuEvent(CpuEventKind.Exception, vector, errorCode, ExceptionVector.HasErrorCode(vector), address, 0, PrivilegedOperation.None, -1, -1, 0);
        return false;
    }

    private bool RaiseGp(uint errorCode = 0) => RaiseFault(ExceptionVector.GeneralProtection, errorCode);

    /// <summary>Set by a non-canonical access until the run loop has classified the fault.</summary>
    private bool _nonCanonicalFault;

    /// <summary>
    /// A non-canonical linear address raised #GP(0); a stack reference (PUSH, POP, CALL, RET, ENTER, LEAVE,
    /// IRET, or a memory operand through SS: RSP- or RBP-based) raises #SS(0) instead.
    /// </summary>
    private void ClassifyNonCanonical(DecodedOp* op)
    {
        _nonCanonicalFault = false;
        if (_pendingEvent.Vector != ExceptionVector.GeneralProtection)
        {
            return;
        }
        var mnemonic = ((Iced.Intel.Code)op->Code).Mnemonic();
        var stack = mnemonic is Iced.Intel.Mnemonic.Push or Iced.Intel.Mnemonic.Pop or Iced.Intel.Mnemonic.Call or Iced.Intel.Mnemonic.Ret
            or Iced.Intel.Mnemonic.Retf or Iced.Intel.Mnemonic.Enter or Iced.Intel.Mnemonic.Leave or Iced.Intel.Mnemonic.Pushf or Iced.Intel.Mnemonic.Pushfq
            or Iced.Intel.Mnemonic.Popf or Iced.Intel.Mnemonic.Popfq or Iced.Intel.Mnemonic.Iret or Iced.Intel.Mnemonic.Iretd or Iced.Intel.Mnemonic.Iretq
            || (op->Segment == 2 && HasMemoryOperand(op));
        if (stack)
        {
            _pendingEvent = _pendingEvent with { Vector = ExceptionVector.StackFault };
        }
    }

    /// <summary>Whether the instruction has a ModRM memory operand (decoded again: only on the fault path).</summary>
    private static bool HasMemoryOperand(DecodedOp* op)
    {
        var code = (Iced.Intel.Code)op->Code;
        var info = code.ToOpCode();
        for (var i = 0; i < info.OpCount; i++)
        {
            if (info.GetOpKind(i) is Iced.Intel.OpCodeOperandKind.mem or Iced.Intel.OpCodeOperandKind.r8_or_mem or Iced.Intel.OpCodeOperandKind.r16_or_mem
                or Iced.Intel.OpCodeOperandKind.r32_or_mem or Iced.Intel.OpCodeOperandKind.r64_or_mem or Iced.Intel.OpCodeOperandKind.xmm_or_mem
                or Iced.Intel.OpCodeOperandKind.r32_or_mem_mpx or Iced.Intel.OpCodeOperandKind.r64_or_mem_mpx)
            {
                return true;
            }
        }
        return false;
    }

    private bool RaiseUd() => RaiseFault(ExceptionVector.InvalidOpcode, 0);

    /// <summary>Raises #GP(0) for an instruction refused at this CPL or IOPL, naming it for the sink.</summary>
    private bool RaisePrivileged(DecodedOp* op, PrivilegedOperation operation, int register = -1, int controlRegister = -1)
    {
        _faultPending = true;
        _nonCanonicalFault = false;
        _pendingEvent = new CpuEvent(CpuEventKind.Exception, ExceptionVector.GeneralProtection, 0, true, 0, op->Length, operation, register, controlRegister, op->Size);
        return false;
    }

    private void DeliverPendingFault()
    {
        var ev = _pendingEvent;
        _lastEvent = ev;
        switch (_sink.OnEvent(this, ev))
        {
            case EventDisposition.Handled:
                return;
            case EventDisposition.Stop:
                _stop = StopReason.SinkRequested;
                return;
            default:
                if (ev.Vector == ExceptionVector.PageFault)
                {
                    _cr2 = ev.FaultAddress;
                }
                if (ev.Vector == ExceptionVector.Debug && _halted)
                {
                    // A single-step trap after HLT, delivered through the IDT, wakes the processor: the handler returns past the HLT.
                    _halted = false;
                    if (_stop == StopReason.Halted)
                    {
                        _stop = null;
                    }
                }
                DeliverInterrupt(ev.Vector, ev.ErrorCode, ev.HasErrorCode, InterruptSource.Exception);
                return;
        }
    }

    /// <summary>
    /// Offers an instruction-caused event to the sink with RIP at the instruction. Returns the disposition;
    /// for Stop it also ends the run with RIP where the sink left it.
    /// </summary>
    private EventDisposition Offer(DecodedOp* op, CpuEventKind kind, byte vector)
    {
        _rip = op->Rip;
        var ev = new CpuEvent(kind, vector, 0, false, 0, op->Length, PrivilegedOperation.None, -1, -1, op->Size);
        _lastEvent = ev;
        var d = _sink.OnEvent(this, ev);
        if (d == EventDisposition.Stop)
        {
            _stop = StopReason.SinkRequested;
        }
        return d;
    }

    /// <summary>Delivers a vector through the IDT with RIP as the return address; false when the CPU shut down.</summary>
    private bool DeliverInterrupt(byte vector, uint errorCode, bool hasErrorCode, InterruptSource source)
    {
        if (_deliveryDepth >= 3)
        {
            return Shutdown();
        }
        _deliveryDepth++;
        var savedFault = _faultPending;
        _faultPending = false;
        var ok = (_efer & EferLma) != 0 ? DeliverLong(vector, errorCode, hasErrorCode, source) : DeliverProtected(vector, errorCode, hasErrorCode, source);
        if (!ok && _stop is null && source == InterruptSource.Software)
        {
            // A fault while delivering INT n is raised at the INT instruction itself; the caller reports it.
            _deliveryDepth--;
            return false;
        }
        if (!ok && _stop is null)
        {
            var nested = _pendingEvent;
            _faultPending = false;
            if (vector == ExceptionVector.DoubleFault || _deliveryDepth >= 2)
            {
                _deliveryDepth--;
                return Shutdown();
            }
            var benign = nested.Vector == ExceptionVector.PageFault && vector != ExceptionVector.PageFault && vector < 10;
            ok = benign || source != InterruptSource.Exception
                ? DeliverInterrupt(nested.Vector, nested.ErrorCode, nested.HasErrorCode, InterruptSource.Exception)
                : DeliverInterrupt(ExceptionVector.DoubleFault, 0, true, InterruptSource.Exception);
        }
        _faultPending = savedFault;
        _deliveryDepth--;
        return ok;
    }

    private bool Shutdown()
    {
        _stop = StopReason.Shutdown;
        _lastEvent = _pendingEvent;
        _faultPending = false;
        return false;
    }

    private bool DeliverLong(byte vector, uint errorCode, bool hasErrorCode, InterruptSource source)
    {
        var ext = source == InterruptSource.Software ? 0u : 1u;
        if ((ulong)(vector * 16) + 15 > _idtr.Limit)
        {
            return RaiseGp(((uint)vector << 3) | 2 | ext);
        }
        if (!SystemRead(_idtr.Base + (ulong)(vector * 16), 8, out var lo) || !SystemRead(_idtr.Base + (ulong)(vector * 16) + 8, 8, out var hi))
        {
            return false;
        }
        var type = (int)((lo >> 40) & 0xF);
        var dpl = (int)((lo >> 45) & 3);
        if (type is not (0xE or 0xF))
        {
            return RaiseGp(((uint)vector << 3) | 2 | ext);
        }
        if (source == InterruptSource.Software && dpl < _cpl)
        {
            return RaiseGp(((uint)vector << 3) | 2);
        }
        if ((lo & (1UL << 47)) == 0)
        {
            return RaiseFault(ExceptionVector.SegmentNotPresent, ((uint)vector << 3) | 2 | ext);
        }
        var selector = (ushort)(lo >> 16);
        var target = (lo & 0xFFFF) | ((lo >> 32) & 0xFFFF0000) | (hi << 32);
        var ist = (int)((lo >> 32) & 7);
        if (!ReadDescriptor(selector, out var cs, out _))
        {
            return false;
        }
        if ((cs.Attributes & 0x18) != 0x18 || !cs.LongMode)
        {
            return RaiseGp((uint)(selector & 0xFFFC) | ext);
        }
        if (!cs.Present)
        {
            return RaiseFault(ExceptionVector.SegmentNotPresent, (uint)(selector & 0xFFFC) | ext);
        }
        var conforming = (cs.Attributes & 4) != 0;
        var newCpl = conforming ? _cpl : cs.Dpl;
        if (newCpl > _cpl)
        {
            return RaiseGp((uint)(selector & 0xFFFC) | ext);
        }
        var oldSs = _segments[2];
        var oldRsp = _g[4];
        var oldCs = _segments[1];
        var flags = MaterializeFlags();
        var rsp = oldRsp;
        var stackSwitch = newCpl < _cpl || ist != 0;
        if (stackSwitch)
        {
            var offset = ist != 0 ? 0x24UL + (ulong)((ist - 1) * 8) : 4UL + (ulong)(newCpl * 8);
            if (!SystemRead(_tr.Base + offset, 8, out rsp))
            {
                return false;
            }
        }
        rsp &= ~0xFUL;
        var frame = stackalloc ulong[6];
        var n = 0;
        if (hasErrorCode)
        {
            frame[n++] = errorCode;
        }
        frame[n++] = _rip;
        frame[n++] = oldCs.Selector;
        frame[n++] = flags;
        frame[n++] = oldRsp;
        frame[n++] = oldSs.Selector;
        var savedCpl = _cpl;
        SetPrivilege(newCpl);
        for (var i = n - 1; i >= 0; i--)
        {
            rsp -= 8;
            if (!WriteSlow(rsp, 8, frame[i]))
            {
                SetPrivilege(savedCpl);
                return false;
            }
        }
        _g[4] = rsp;
        if (newCpl < savedCpl)
        {
            _segments[2] = new SegmentState((ushort)newCpl, 0, 0, 0);
        }
        _segments[1] = cs with { Selector = (ushort)((selector & 0xFFFC) | newCpl) };
        var cleared = FlagTf | FlagNt | FlagRf | FlagVm | (type == 0xE ? FlagIf : 0);
        _rflags = flags & ~cleared;
        _rip = target;
        UpdateMode();
        return true;
    }

    private bool DeliverProtected(byte vector, uint errorCode, bool hasErrorCode, InterruptSource source)
    {
        var ext = source == InterruptSource.Software ? 0u : 1u;
        if ((_cr0 & Cr0Pe) == 0 || (ulong)(vector * 8) + 7 > _idtr.Limit)
        {
            return RaiseGp(((uint)vector << 3) | 2 | ext);
        }
        if (!SystemRead(_idtr.Base + (ulong)(vector * 8), 8, out var gate))
        {
            return false;
        }
        var type = (int)((gate >> 40) & 0xF);
        var dpl = (int)((gate >> 45) & 3);
        if (type is not (0xE or 0xF))
        {
            return RaiseGp(((uint)vector << 3) | 2 | ext);
        }
        if (source == InterruptSource.Software && dpl < _cpl)
        {
            return RaiseGp(((uint)vector << 3) | 2);
        }
        if ((gate & (1UL << 47)) == 0)
        {
            return RaiseFault(ExceptionVector.SegmentNotPresent, ((uint)vector << 3) | 2 | ext);
        }
        var selector = (ushort)(gate >> 16);
        var target = (uint)((gate & 0xFFFF) | ((gate >> 32) & 0xFFFF0000));
        if (!ReadDescriptor(selector, out var cs, out _))
        {
            return false;
        }
        if ((cs.Attributes & 0x18) != 0x18 || !cs.Present)
        {
            return RaiseGp((uint)(selector & 0xFFFC) | ext);
        }
        var newCpl = (cs.Attributes & 4) != 0 ? _cpl : cs.Dpl;
        var flags = MaterializeFlags();
        var oldSs = _segments[2];
        var oldEsp = (uint)_g[4];
        var esp = oldEsp;
        var newSs = oldSs;
        if (newCpl < _cpl)
        {
            if (!SystemRead(_tr.Base + 4 + (ulong)(newCpl * 8), 4, out var esp0) || !SystemRead(_tr.Base + 8 + (ulong)(newCpl * 8), 2, out var ss0))
            {
                return false;
            }
            if (!ReadDescriptor((ushort)ss0, out newSs, out _))
            {
                return false;
            }
            esp = (uint)esp0;
        }
        var frame = stackalloc uint[6];
        var n = 0;
        if (hasErrorCode)
        {
            frame[n++] = errorCode;
        }
        frame[n++] = (uint)_rip;
        frame[n++] = _segments[1].Selector;
        frame[n++] = (uint)flags;
        if (newCpl < _cpl)
        {
            frame[n++] = oldEsp;
            frame[n++] = oldSs.Selector;
        }
        var savedCpl = _cpl;
        SetPrivilege(newCpl);
        for (var i = n - 1; i >= 0; i--)
        {
            esp -= 4;
            if (!WriteSlow((newSs.Base + esp) & 0xFFFFFFFF, 4, frame[i]))
            {
                SetPrivilege(savedCpl);
                return false;
            }
        }
        _segments[2] = newSs;
        _g[4] = esp;
        _segments[1] = cs with { Selector = (ushort)((selector & 0xFFFC) | newCpl) };
        _rflags = flags & ~(FlagTf | FlagNt | FlagRf | FlagVm | (type == 0xE ? FlagIf : 0));
        _rip = target;
        UpdateMode();
        return true;
    }

    /// <summary>Sets CPL and the TLB privilege key without touching CS (used while building frames).</summary>
    private void SetPrivilege(int cpl)
    {
        _cpl = cpl;
        _tlbKey = cpl == 3 && !_pagingAsSupervisor ? 1UL : 0UL;
    }

    /// <summary>Reads a descriptor-table or TSS field as a supervisor access, whatever the CPL.</summary>
    private bool SystemRead(ulong linear, int size, out ulong value)
    {
        var saved = _cpl;
        SetPrivilege(0);
        var ok = ReadSlow(linear & _linearMask, size, out value);
        SetPrivilege(saved);
        return ok;
    }

    /// <summary>Reads the descriptor of a selector from the GDT or LDT; raises #GP(selector) when it lies outside the table.</summary>
    private bool ReadDescriptor(ushort selector, out SegmentState segment, out ulong raw)
    {
        segment = default;
        raw = 0;
        var table = (selector & 4) != 0 ? new TableRegister(_ldtr.Base, (ushort)_ldtr.Limit) : _gdtr;
        var offset = (ulong)(selector & 0xFFF8);
        if ((selector & 0xFFFC) == 0 || offset + 7 > table.Limit)
        {
            return RaiseGp((uint)(selector & 0xFFFC));
        }
        if (!SystemRead(table.Base + offset, 8, out raw))
        {
            return false;
        }
        segment = SegmentState.FromDescriptor(selector, raw);
        return true;
    }
}

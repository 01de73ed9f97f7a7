using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Cpu;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>
/// VCPUOP_initialise: a secondary vCPU gets its whole context (registers, virtual IDT, GDT frames,
/// kernel stack, page-table bases, callbacks, segment bases) from a vcpu_guest_context the guest
/// fills in, as Linux's cpu_initialize_context does before VCPUOP_up. Checked the way Xen's
/// arch_set_info_guest checks it: non-canonical addresses, a misaligned or oversized LDT and too
/// many GDT entries are -EINVAL, a GDT frame or root table the domain may not use is -EINVAL and
/// leaves every count as it was, and a vCPU that already has a context answers -EEXIST.
/// Segment selectors are loaded flat, as everywhere in this model.
/// </summary>
public sealed partial class PvVcpu
{
    private const int MaxLdtEntries = 8192;

    /// <summary>True once the vCPU has a context: vCPU 0 from the builder, the others from VCPUOP_initialise.</summary>
    private bool _initialised;

    /// <summary>True once the vCPU has a context to run (vCPU 0 from the domain builder, others from VCPUOP_initialise).</summary>
    public bool IsInitialised => _initialised;

    private long InitialiseVcpu(PvVcpu target, ulong contextVa)
    {
        var layout = VcpuGuestContextLayout.For(_domain.Width);
        var context = new byte[layout.Size];
        if (!_guest.TryRead(contextVa, context))
        {
            return XenErrno.Fault.ToReturnValue();
        }

        if (target._initialised)
        {
            return XenErrno.Exist.ToReturnValue();
        }

        return target.LoadGuestContext(new ContextReader(context, layout));
    }

    private long UpVcpu(PvVcpu target)
    {
        if (!target._initialised)
        {
            return XenErrno.Inval.ToReturnValue();
        }

        if (!target._online)
        {
            target._online = true;
            _domain.NotifyVcpuUp(target);
        }

        return 0;
    }

    private long LoadGuestContext(ContextReader c)
    {
        bool is64 = _domain.Width == GuestWidth.Bits64;
        var layout = c.Layout;
        ulong Long(int offset) => c.Long(offset);
        ulong Reg(int offset) => c.Reg(offset);

        ulong flags = Long(VcpuGuestContextLayout.Flags);
        ulong ldtBase = Long(layout.LdtBase);
        ulong ldtEntries = Long(layout.LdtEntries);
        ulong gdtEntries = Long(layout.GdtEntries);
        ulong eventCallback = Long(is64 ? layout.EventCallback : layout.EventCallback + 4);
        ulong failsafeCallback = Long(is64 ? layout.FailsafeCallback : layout.FailsafeCallback + 4);
        ulong syscallCallback = Long(layout.SyscallCallback);
        ulong[] addresses = [Reg(layout.RegsRip), Reg(layout.RegsRsp), Long(layout.KernelSp), ldtBase, eventCallback, failsafeCallback, syscallCallback,
            Long(layout.FsBase), Long(layout.GsBaseKernel), Long(layout.GsBaseUser)];
        if (is64 && addresses.Any(a => !HypervisorLayout.IsCanonical(a)))
        {
            return XenErrno.Inval.ToReturnValue();
        }

        if ((ldtBase & ~PageGeometry.PageMask) != 0 || ldtEntries > MaxLdtEntries || gdtEntries > MaxGdtEntries)
        {
            return XenErrno.Inval.ToReturnValue();
        }

        var traps = new TrapEntry[256];
        for (int vector = 0; vector < 256; vector++)
        {
            var entry = c.Bytes.AsSpan(layout.TrapContext + (vector * layout.TrapInfoSize), layout.TrapInfoSize);
            ulong handler = is64 ? BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]);
            if (handler == 0)
            {
                continue;
            }

            if (is64 && !HypervisorLayout.IsCanonical(handler))
            {
                return XenErrno.Inval.ToReturnValue();
            }

            traps[vector] = new TrapEntry(entry[TrapStructLayout.TrapInfoFlags], FixRpl(BinaryPrimitives.ReadUInt16LittleEndian(entry[TrapStructLayout.TrapInfoCs..])), handler);
        }

        var gdtFrames = new ulong[(int)((gdtEntries + 511) / 512)];
        for (int i = 0; i < gdtFrames.Length; i++)
        {
            gdtFrames[i] = Long(layout.GdtFrames + (i * layout.LongSize));
        }

        ulong cr3 = Long(layout.CtrlReg + (3 * layout.LongSize));
        ulong rootMfn = is64 ? cr3 >> PageGeometry.PageShift : ((cr3 >> 12) | (cr3 << 20)) & 0xFFFF_FFFF;
        ulong userRootMfn = is64 ? Long(layout.CtrlReg + layout.LongSize) >> PageGeometry.PageShift : 0;
        var error = TakeContextTables(gdtFrames, rootMfn, userRootMfn);
        if (error != 0)
        {
            return error;
        }

        traps.CopyTo(_trapTable, 0);
        _kernelSs = FixRpl(Long(layout.KernelSs));
        _kernelSp = Long(layout.KernelSp);
        _mmu.LdtBase = ldtBase;
        _mmu.LdtEntries = (uint)ldtEntries;
        if (is64)
        {
            _eventCallback = new Callback(Selectors.KernelCs64, eventCallback, MasksEvents: true);
            _failsafeCallback = new Callback(Selectors.KernelCs64, failsafeCallback, (flags & VcpuGuestContextFlags.FailsafeDisablesEvents) != 0);
            _syscallCallback = new Callback(Selectors.KernelCs64, syscallCallback, (flags & VcpuGuestContextFlags.SyscallDisablesEvents) != 0);
        }
        else
        {
            _eventCallback = new Callback(FixRpl(Long(layout.EventCallback)), eventCallback, MasksEvents: true);
            _failsafeCallback = new Callback(FixRpl(Long(layout.FailsafeCallback)), failsafeCallback, (flags & VcpuGuestContextFlags.FailsafeDisablesEvents) != 0);
        }

        LoadContextRegisters(c, flags);
        _initialised = true;
        return 0;
    }

    /// <summary>Takes the GDT frames and the root tables of a new context, all or nothing.</summary>
    private long TakeContextTables(ulong[] gdtFrames, ulong rootMfn, ulong userRootMfn)
    {
        if (InstallGdt(gdtFrames) != 0)
        {
            return XenErrno.Inval.ToReturnValue();
        }

        var tables = _domain.Machine.PageTables;
        if (tables.NewBaseptr(_domain.Memory, _mmu, rootMfn, _flush) != PageTableError.None)
        {
            InstallGdt([]);
            return XenErrno.Inval.ToReturnValue();
        }

        if (userRootMfn != 0 && tables.NewUserBaseptr(_domain.Memory, _mmu, userRootMfn, _flush) != PageTableError.None)
        {
            tables.PutPageAndType(_mmu.KernelRootMfn);
            _mmu.KernelRootMfn = 0;
            InstallGdt([]);
            return XenErrno.Inval.ToReturnValue();
        }

        return 0;
    }

    private void LoadContextRegisters(ContextReader c, ulong flags)
    {
        bool is64 = _domain.Width == GuestWidth.Bits64;
        var layout = c.Layout;
        Cpu.SetControlRegister(4, Cr4Pae | Cr4OsFxsr | Cr4OsXmmExcpt);
        Cpu.SetEfer(is64 ? EferSce | EferLme | EferNxe : EferNxe);
        Cpu.SetControlRegister(0, Cr0ProtectedPagingWp);
        _mmu.InKernelMode = !is64 || (flags & VcpuGuestContextFlags.InKernel) != 0 || _mmu.UserRootMfn == 0;
        LoadCr3();
        _flush.Clear();
        Cpu.FlushTlb(includeGlobal: true);
        if (_gdt is not null)
        {
            Cpu.SetGdtr(new TableRegister(_gdt.Base, XenGdtArea.Limit));
        }

        for (int r = 0; r < (is64 ? 16 : 8); r++)
        {
            Cpu.SetGpr(r, c.Reg(layout.RegsGpr(r)));
        }

        ushort cs = FixRpl(c.Selector(layout.RegsCs));
        int cpl = cs & 3;
        Cpu.SetSegment(SegCs, is64 && cs != Selectors.UserCs32On64 ? SegmentState.Code64(cs, cpl) : SegmentState.Code32(cs, cpl));
        Cpu.SetSegment(SegSs, SegmentState.Data(FixRpl(c.Selector(layout.RegsSs)), cpl));
        int[] dataSegments = [SegEs, SegDs, SegFs, SegGs];
        for (int i = 0; i < dataSegments.Length; i++)
        {
            ushort value = c.Selector(layout.RegsEs + (i * layout.LongSize));
            Cpu.SetSegment(dataSegments[i], SegmentState.Data(value, Math.Max(value & 3, cpl)));
        }

        if (is64)
        {
            Cpu.SetFsBase(c.Long(layout.FsBase));
            _gsBaseKernel = c.Long(layout.GsBaseKernel);
            _gsBaseUser = c.Long(layout.GsBaseUser);
            Cpu.SetGsBase(_mmu.InKernelMode ? _gsBaseKernel : _gsBaseUser);
        }

        Cpu.Rip = c.Reg(layout.RegsRip);
        // As Xen's arch_set_info_guest does, the IOPL field of the context's flags becomes the vCPU's
        // virtual IOPL (Linux asks for ring 1 this way), and the real IOPL stays 0.
        ulong rflags = c.Reg(layout.RegsRflags);
        _virtualIopl = (uint)((rflags & FlagIopl) >> 12);
        Cpu.Rflags = (rflags & ~(FlagIopl | FlagVm)) | FlagIf | 2;
        Cpu.PagingAsSupervisor = is64 && _mmu.InKernelMode;
        _blocked = false;
    }

    /// <summary>Reads the fields of a vcpu_guest_context copied from the guest.</summary>
    private readonly record struct ContextReader(byte[] Bytes, VcpuGuestContextLayout Layout)
    {
        /// <summary>An unsigned long at <paramref name="offset"/>; a field the width lacks (offset -1) reads as 0.</summary>
        public ulong Long(int offset) => offset < 0 ? 0
            : Layout.LongSize == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(Bytes.AsSpan(offset)) : BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan(offset));

        /// <summary>A register of user_regs.</summary>
        public ulong Reg(int offset) => Long(Layout.UserRegs + offset);

        /// <summary>A 16-bit selector of user_regs.</summary>
        public ushort Selector(int offset) => BinaryPrimitives.ReadUInt16LittleEndian(Bytes.AsSpan(Layout.UserRegs + offset));
    }
}
